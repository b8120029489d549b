// modules/lib/ is the module kit, no module: define.ts (the module contract), edit-file.ts (the text editors'
// one definition), exec.ts and run-command.ts (commands), remote-file.ts and write-file.ts (files' state and
// writes), xml.ts, text/ (the editors' pure edits) and the parameter helpers. What modules/ lists is modules.
//
// defineModule turns a typed implementation into a factory of Actions: `copy({ dest, content })`.
// It owns the preflight guarantee: a module's preflight runs before any host is touched when the plan can
// build the call, and always at the start of its run, whose third argument is what preflight returned.
// It owns the probe contract too: a module may declare the read-only state its run decides on (probe), so the
// runner reads the state of consecutive tasks in one command per host and runs only the calls whose state
// differs, handing run() the state it read.
import type { Action, ModuleContext, ModuleResult, ProbeAnswers, ProbeFlags, ProbeKind, ProbeOutput, ProbeRead } from '../../engine/types';

export interface ModuleDefinition<P, R extends ModuleResult, C = void, S = never> {
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
  /**
   * The state run() decides on, read without changing anything; undefined for a call that has none (a
   * command without creates/removes always runs). What it reads must be what run() would read itself.
   */
  probe?(params: P, checked: C, flags: ProbeFlags): ModuleProbe<R, S> | undefined;
  /** `probed`: the state probe() read, still current (no task changed its paths since); else run() reads it. */
  run(params: P, ctx: ModuleContext, checked: C, probed?: S): Promise<R>;
}

/** A module's probe: its reads (a file's state, a shell fragment: modules/lib/remote-file.ts, shellRead below). */
export interface ModuleProbe<R extends ModuleResult, S> {
  readonly reads: readonly ProbeRead[];
  /** The state from the reads' answers; throws when they cannot be used (run() then reads and reports). */
  state(answers: ProbeAnswers): S;
  /**
   * What run() would return for this state when it has nothing to do; undefined when it must run. A throw (a
   * state run() fails on) is not reported: run() then runs and reports it its own way.
   */
  settled(state: S, ctx: ModuleContext): R | undefined;
  /** Absolute paths run() may change besides those its reads resolved to; undefined: anything (a command). */
  readonly writes?: readonly string[];
}

export type ModuleFactory<P, R extends ModuleResult> = ((params: P) => Action<R>) & {
  readonly moduleName: string;
};

export function defineModule<P, R extends ModuleResult, C = void, S = never>(def: ModuleDefinition<P, R, C, S>): ModuleFactory<P, R> {
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
      probe: def.probe
        ? (flags) => {
            const p = def.probe!(params, check(), flags);
            if (!p) return undefined;
            return {
              reads: p.reads,
              writes: p.writes,
              decide(answers, ctx) {
                const state = p.state(answers);
                const settled = settledOrUndefined(() => p.settled(state, ctx));
                return settled ? { settled } : { apply: (ctx) => def.run(params, ctx, check(), state) };
              },
            };
          }
        : undefined,
    };
  };
  return Object.assign(factory, { moduleName: def.name });
}

/** settled() may throw on a state run() reports as an error (a directory where a file goes): run() then runs. */
function settledOrUndefined<R>(f: () => R | undefined): R | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** A shell fragment as a probe read: its exit status and stdout are the answer; equal fragments run once. */
interface ShellRequest {
  readonly script: string;
  /** Absolute paths whose state the fragment prints (none: it reads no file a task could change). */
  readonly paths: readonly string[];
}

const SHELL_FRAGMENTS: ProbeKind<ShellRequest, ProbeOutput> = {
  name: 'shell',
  key: (r) => r.script,
  scripts: (requests) => requests.map((r) => r.script),
  answers: (outputs, requests) => requests.map((r, i) => (outputs[i] ? { value: outputs[i], paths: r.paths } : undefined)),
};

/** A read-only shell fragment for a probe (`systemctl show ...`), run in its own section of the round. */
export function shellRead(script: string, paths: readonly string[] = []): ProbeRead<ShellRequest, ProbeOutput> {
  return { kind: SHELL_FRAGMENTS, request: { script, paths } };
}
