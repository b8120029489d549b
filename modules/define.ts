// defineModule turns a typed implementation into a factory of Actions: `copy({ dest, content })`.
// It owns the preflight guarantee: a module's preflight runs before any host is touched when the plan can
// build the call, and always at the start of its run, whose third argument is what preflight returned.
import type { Action, ModuleContext, ModuleResult } from '../engine/types';

export interface ModuleDefinition<P, R extends ModuleResult, C = void> {
  readonly name: string;
  /** Whether run() honours ctx.check (reads state, reports, changes nothing). */
  readonly checkMode: boolean;
  /** Short description of a call for -v / --list-tasks; defaults to the module name. */
  describe?(params: P): string;
  /**
   * Host-independent checks of the parameters (paths absolute, template renders...); throws ConfigError.
   * Returns what run() needs of them (the parsed edit, the rendered text), so run() never checks again.
   */
  preflight?(params: P): C;
  /** A failure decidable before the run (assert on variables); at run time run() reports it its own way. */
  planCheck?(params: P): void;
  run(params: P, ctx: ModuleContext, checked: C): Promise<R>;
}

export type ModuleFactory<P, R extends ModuleResult> = ((params: P) => Action<R>) & {
  readonly moduleName: string;
};

export function defineModule<P, R extends ModuleResult, C = void>(def: ModuleDefinition<P, R, C>): ModuleFactory<P, R> {
  const factory = (params: P): Action<R> => {
    // Once per call, however often the plan and the run (retries included) ask; a failure is thrown each time.
    let checked: { readonly value: C } | undefined;
    const check = (): C => (checked ??= { value: def.preflight ? def.preflight(params) : (undefined as C) }).value;
    return {
      module: def.name,
      checkMode: def.checkMode,
      describe: def.describe ? def.describe(params) : def.name,
      preflight:
        def.preflight || def.planCheck
          ? () => {
              check();
              def.planCheck?.(params);
            }
          : undefined,
      run: async (ctx) => def.run(params, ctx, check()),
    };
  };
  return Object.assign(factory, { moduleName: def.name });
}
