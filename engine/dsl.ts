// The authoring surface: play(), role(), task(), block(), handler(), setFact(), flushHandlers().
// A role's variables are a zod object schema: its output type is the interface the role's tasks see.
import type { z } from 'zod';
import type { Action, Facts, HostName, ModuleResult } from './types';

export type Vars = Readonly<Record<string, unknown>>;

/** What a task's callbacks see of the host it runs for. */
export interface HostView<V = Vars> {
  readonly name: HostName;
  /** This host's variables: the role's typed variables inside a role, all variables in a play. */
  readonly vars: V;
  /** Gathered before the first task that runs on this host; cached for the run. */
  readonly facts: Facts;
  /** A result an earlier task registered on this host with `register: NAME`. */
  registered<R extends ModuleResult = ModuleResult>(name: string): R | undefined;
  /** Another host's variables, facts and registered results (`hostvars` in Ansible). */
  hostvars(host: string): HostInfo;
  /** Inventory groups and their hosts. */
  readonly groups: Readonly<Record<string, readonly HostName[]>>;
  /** The hosts of the current play (before --limit failures are removed). */
  readonly playHosts: readonly HostName[];
  /** True under --check (Ansible's ansible_check_mode): e.g. to skip a verification of what was not done. */
  readonly checkMode: boolean;
}

export interface HostInfo {
  readonly name: HostName;
  readonly vars: Vars;
  readonly facts: Facts;
  registered<R extends ModuleResult = ModuleResult>(name: string): R | undefined;
}

/** A registered loop: one result per item. */
export interface LoopResult<R extends ModuleResult = ModuleResult> extends ModuleResult {
  readonly results: readonly R[];
}

type Pred<V> = (h: HostView<V>) => boolean;

export interface TaskOptions<V, R extends ModuleResult, I> {
  readonly name: string;
  /** The module call, or a function building it from the host (and the loop item). */
  readonly action: Action<R> | ((h: HostView<V>, item: I) => Action<R>);
  readonly loop?: readonly I[] | ((h: HostView<V>) => readonly I[]);
  readonly tags?: readonly string[];
  readonly when?: Pred<V>;
  readonly register?: string;
  /** Handler names (or `listen` topics) to notify when this task changed something. */
  readonly notify?: readonly string[];
  /** Run on the first host of the batch only; its result is registered for every host. */
  readonly runOnce?: boolean;
  /** Run through another inventory host's connection (the task still sees this host's vars). */
  readonly delegateTo?: string | ((h: HostView<V>) => string);
  readonly retries?: number;
  /** Seconds between retries. */
  readonly delay?: number;
  readonly until?: (r: R, h: HostView<V>) => boolean;
  readonly ignoreErrors?: boolean;
  readonly changedWhen?: (r: R, h: HostView<V>) => boolean;
  /** Decides failure instead of the module; a module error then arrives as a result with rc/stdout/stderr. */
  readonly failedWhen?: (r: R & FailureDetail, h: HostView<V>) => boolean;
  /** Hide parameters, results and diffs of this task at every verbosity. */
  readonly noLog?: boolean;
  readonly become?: boolean;
  /** Seconds before the task fails on a host as hung. */
  readonly timeout?: number;
  /**
   * false: the task runs for real under --check too (Ansible's `check_mode: false`), for a read whose answer
   * later tasks decide on (a version probe): it must change nothing.
   */
  readonly checkMode?: false;
}

export interface FailureDetail {
  readonly failed?: boolean;
  readonly rc?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

// Nodes are stored with their variable type erased to `never`: HostView is covariant in V, so a callback
// written for HostView<DrbdVars> accepts a HostView<never>, and the runner supplies the right vars at run time.
export interface TaskNode<V = never> {
  readonly kind: 'task';
  readonly opts: TaskOptions<V, ModuleResult, unknown>;
}
export interface BlockNode<V = never> {
  readonly kind: 'block';
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly when?: Pred<V>;
  readonly become?: boolean;
  readonly tasks: readonly Node<V>[];
  /** Run for hosts that failed in `tasks`; a host that gets through it counts as rescued. */
  readonly rescue?: readonly Node<V>[];
  /** Run for every host that entered the block, failed or not. */
  readonly always?: readonly Node<V>[];
}
export interface SetFactNode<V = never> {
  readonly kind: 'setFact';
  readonly name: string;
  readonly tags?: readonly string[];
  readonly when?: Pred<V>;
  readonly values: (h: HostView<V>) => Vars;
}
export interface FlushNode {
  readonly kind: 'flush';
}
export type Node<V = never> = TaskNode<V> | BlockNode<V> | SetFactNode<V> | FlushNode;

export interface Handler<V = never> {
  readonly name: string;
  /** Extra topics this handler answers to, as Ansible's `listen`. */
  readonly listen?: readonly string[];
  readonly task: TaskNode<V>;
}

export interface Role<V = Vars> {
  readonly kind: 'role';
  readonly name: string;
  readonly tags: readonly string[];
  /** Validates and completes (defaults) a host's variables for this role. */
  readonly validate: (input: Vars) => RoleVarsCheck<V>;
  readonly tasks: readonly Node<V>[];
  readonly handlers: readonly Handler<V>[];
}

export type RoleVarsCheck<V> =
  | { readonly ok: true; readonly vars: V }
  | { readonly ok: false; readonly issues: readonly { readonly variable: string; readonly message: string }[] };

/** Any role, its variable type erased (validate's result widens, task callbacks narrow to never). */
export interface AnyRole {
  readonly kind: 'role';
  readonly name: string;
  readonly tags: readonly string[];
  readonly validate: (input: Vars) => RoleVarsCheck<unknown>;
  readonly tasks: readonly Node<never>[];
  readonly handlers: readonly Handler<never>[];
}

/** A role as a play uses it, with optional variable overrides. */
export interface RoleUse {
  readonly role: AnyRole;
  readonly vars: Vars;
  readonly tags: readonly string[];
}

export interface PlayOptions {
  readonly name: string;
  /** A host pattern: group, host, glob, `a:b`, `a:!b`, `a:&b`. */
  readonly hosts: string;
  readonly vars?: Vars;
  readonly preTasks?: readonly Node<Vars>[];
  readonly roles?: readonly (AnyRole | RoleUse)[];
  readonly tasks?: readonly Node<Vars>[];
  readonly postTasks?: readonly Node<Vars>[];
  readonly handlers?: readonly Handler<Vars>[];
  readonly tags?: readonly string[];
  /** Batch size (number or "50%"): the play runs start to end on each batch in turn. */
  readonly serial?: number | `${number}%`;
  /** Stop every host as soon as one fails. */
  readonly anyErrorsFatal?: boolean;
  readonly become?: boolean;
}

export interface Play extends PlayOptions {
  readonly kind: 'play';
  readonly roles: readonly RoleUse[];
}

export interface Playbook {
  readonly name: string;
  readonly plays: readonly Play[];
}

// ---- builders ----

export function task<V = Vars, R extends ModuleResult = ModuleResult, I = undefined>(
  opts: TaskOptions<V, R, I>,
): TaskNode<V> {
  return { kind: 'task', opts: opts as unknown as TaskOptions<V, ModuleResult, unknown> };
}

export function block<V = Vars>(b: Omit<BlockNode<V>, 'kind'>): BlockNode<V> {
  return { kind: 'block', ...b };
}

export function setFact<V = Vars>(name: string, values: (h: HostView<V>) => Vars, opts: { tags?: readonly string[]; when?: Pred<V> } = {}): SetFactNode<V> {
  return { kind: 'setFact', name, values, ...opts };
}

export function flushHandlers(): FlushNode {
  return { kind: 'flush' };
}

export function handler<V = Vars, R extends ModuleResult = ModuleResult>(
  opts: Omit<TaskOptions<V, R, undefined>, 'loop' | 'notify'> & { readonly listen?: readonly string[] },
): Handler<V> {
  const { listen, ...t } = opts;
  return { name: opts.name, listen, task: task<V, R>(t) };
}

/** Builders bound to one variable type, so a role's tasks need no annotations: `const { task } = dslFor<DrbdVars>()`. */
export function dslFor<V>() {
  return {
    task: <R extends ModuleResult = ModuleResult, I = undefined>(opts: TaskOptions<V, R, I>) => task<V, R, I>(opts),
    block: (b: Omit<BlockNode<V>, 'kind'>) => block<V>(b),
    handler: <R extends ModuleResult = ModuleResult>(
      opts: Omit<TaskOptions<V, R, undefined>, 'loop' | 'notify'> & { readonly listen?: readonly string[] },
    ) => handler<V, R>(opts),
    setFact: (name: string, values: (h: HostView<V>) => Vars, opts: { tags?: readonly string[]; when?: Pred<V> } = {}) =>
      setFact<V>(name, values, opts),
  };
}

export function role<S extends z.ZodType<Vars>>(def: {
  readonly name: string;
  readonly tags?: readonly string[];
  /** The role's variables with their defaults; inventory and play values are validated against it. */
  readonly vars: S;
  readonly tasks: readonly Node<z.output<S>>[];
  readonly handlers?: readonly Handler<z.output<S>>[];
}): Role<z.output<S>> {
  return {
    kind: 'role',
    name: def.name,
    tags: def.tags ?? [def.name],
    validate: (input) => {
      // A missing variable reads "is required", not zod's "expected string, received undefined"; a
      // schema's own message (e.g. a secret's, saying where to put it) still wins.
      const r = def.vars.safeParse(input, {
        error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? `is required (${iss.expected})` : undefined),
      });
      if (r.success) return { ok: true, vars: r.data as z.output<S> };
      return {
        ok: false,
        issues: r.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })),
      };
    },
    tasks: def.tasks,
    handlers: def.handlers ?? [],
  };
}

/** Use a role with variable overrides and extra tags. */
export function withVars<V>(r: Role<V>, vars: Partial<V>, tags: readonly string[] = []): RoleUse {
  return { role: r, vars: vars as Vars, tags };
}

export function play(opts: PlayOptions): Play {
  const roles = (opts.roles ?? []).map((r): RoleUse => ('kind' in r ? { role: r, vars: {}, tags: [] } : r));
  return { ...opts, kind: 'play', roles };
}

export function playbook(name: string, plays: readonly Play[]): Playbook {
  return { name, plays };
}
