// defineModule turns a typed implementation into a factory of Actions: `copy({ dest, content })`.
import type { Action, ModuleContext, ModuleResult } from '../engine/types';

export interface ModuleDefinition<P, R extends ModuleResult> {
  readonly name: string;
  /** Whether run() honours ctx.check (reads state, reports, changes nothing). */
  readonly checkMode: boolean;
  /** Short description of a call for -v / --list-tasks; defaults to the module name. */
  describe?(params: P): string;
  /** Host-independent validation (paths absolute, template renders...). Throw ConfigError. */
  preflight?(params: P): void;
  run(params: P, ctx: ModuleContext): Promise<R>;
}

export type ModuleFactory<P, R extends ModuleResult> = ((params: P) => Action<R>) & {
  readonly moduleName: string;
};

export function defineModule<P, R extends ModuleResult>(def: ModuleDefinition<P, R>): ModuleFactory<P, R> {
  const factory = (params: P): Action<R> => ({
    module: def.name,
    checkMode: def.checkMode,
    describe: def.describe ? def.describe(params) : def.name,
    preflight: def.preflight ? () => def.preflight!(params) : undefined,
    run: (ctx) => def.run(params, ctx),
  });
  return Object.assign(factory, { moduleName: def.name });
}
