// The linear (lockstep) strategy: each task finishes on every host of the batch before the next starts.
import type { Action, Connection, Facts, HostName, ModuleContext, ModuleResult } from '../types';
import type { HostEntry, Inventory } from '../inventory/types';
import type { HostInfo, HostView, LoopResult, Node, Playbook, TaskNode, Vars } from '../dsl';
import { ConfigError, ModuleError, UnreachableError } from '../errors';
import { ALL_TAGS, selected, unknownTags, type TagFilter } from '../tags';
import type { HostStats, Reporter, TaskRef } from './events';
import { HostState } from './host-state';
import { mapLimit } from './pool';
import { Redactor } from './redact';
import { verboseConnection } from './verbose-connection';
import {
  knownTags,
  plan,
  preflightActions,
  roleInput,
  taskLabel,
  taskTags,
  validateNotify,
  validateRoleVars,
  type PlannedPlay,
  type Scope,
} from './plan';

export interface RunOptions {
  readonly inventory: Inventory;
  readonly connect: (entry: HostEntry) => Connection;
  readonly reporter: Reporter;
  readonly limit?: string;
  readonly tags?: TagFilter;
  readonly check?: boolean;
  readonly diff?: boolean;
  readonly forks?: number;
  readonly verbosity?: number;
  readonly forceHandlers?: boolean;
  readonly startAtTask?: string;
  readonly extraVars?: Vars;
  /** Default per-task timeout in seconds (0: none). */
  readonly taskTimeout?: number;
  /** Aborting (Ctrl-C) lets in-flight tasks finish, starts no new one, and ends with the recap. */
  readonly signal?: AbortSignal;
}

export interface RunSummary {
  readonly exitCode: 0 | 2 | 4 | 130;
  readonly stats: Readonly<Record<string, HostStats>>;
}

const HIDDEN = 'the output has been hidden (noLog)';

/** Validate everything that needs no host; throws ConfigError. Returns the plan to run. */
export function prepare(pb: Playbook, opts: RunOptions): PlannedPlay[] {
  const planned = plan(pb, opts.inventory, opts.limit);
  validateRoleVars(planned, opts.inventory, opts.extraVars ?? {});
  validateNotify(planned);
  preflightActions(planned, opts.inventory, opts.extraVars ?? {}, opts.tags ?? ALL_TAGS);
  return planned;
}

export async function runPlaybook(pb: Playbook, opts: RunOptions): Promise<RunSummary> {
  const planned = prepare(pb, opts);
  return new Run(pb, opts, planned).execute();
}

class Run {
  private readonly states = new Map<HostName, HostState>();
  private readonly redactor = new Redactor();
  private readonly filter: TagFilter;
  private started: boolean;
  private aborted = false;

  constructor(
    private readonly pb: Playbook,
    private readonly opts: RunOptions,
    private readonly planned: readonly PlannedPlay[],
  ) {
    this.filter = opts.tags ?? ALL_TAGS;
    this.started = !opts.startAtTask;
    for (const s of opts.inventory.secrets) this.redactor.add(s);
    opts.signal?.addEventListener('abort', () => (this.aborted = true), { once: true });
  }

  private emit: Reporter['emit'] = (e) => this.opts.reporter.emit(this.redactor.redactDeep(e));

  private state(host: HostName): HostState {
    let s = this.states.get(host);
    if (!s) {
      s = new HostState(this.opts.inventory.hosts.get(host)!, this.opts.connect);
      this.states.set(host, s);
    }
    return s;
  }

  async execute(): Promise<RunSummary> {
    await this.emit({ type: 'playbook', name: this.pb.name, check: !!this.opts.check });
    for (const t of unknownTags([...this.filter.only, ...this.filter.skip], knownTags(this.planned))) {
      await this.emit({ type: 'warning', message: `tag '${t}' is not used by any task of this playbook` });
    }
    try {
      for (const p of this.planned) {
        if (this.aborted) break;
        await this.runPlay(p);
      }
      if (!this.started) {
        await this.emit({ type: 'warning', message: `--start-at-task '${this.opts.startAtTask}': no task has that name` });
      }
    } finally {
      await Promise.all([...this.states.values()].map((s) => s.close()));
    }
    const stats = Object.fromEntries([...this.states].map(([h, s]) => [h, s.stats]));
    const all = [...this.states.values()];
    const exitCode = all.some((s) => s.unreachable) ? 4 : all.some((s) => s.failed) ? 2 : this.aborted ? 130 : 0;
    await this.emit({ type: 'recap', stats, exitCode });
    await this.opts.reporter.close?.();
    return { exitCode, stats };
  }

  private async runPlay(p: PlannedPlay): Promise<void> {
    const hosts = p.hosts.map((h) => this.state(h)).filter((s) => s.active);
    if (!hosts.length) {
      await this.emit({ type: 'warning', message: `play '${p.play.name}': no hosts matched '${p.play.hosts}'${this.opts.limit ? ` with --limit ${this.opts.limit}` : ''}` });
      return;
    }
    const batches = batch(hosts, p.play.serial);
    for (const [index, members] of batches.entries()) {
      if (this.aborted) return;
      await this.emit({
        type: 'play',
        name: p.play.name,
        hosts: members.map((m) => m.name),
        ...(batches.length > 1 ? { batch: { index: index + 1, count: batches.length } } : {}),
      });
      for (const section of p.sections) await this.runNodes(section.nodes, section.scope, members, p);
      await this.flush(p, members, !!this.opts.forceHandlers);
      if (members.every((m) => !m.active)) return; // a batch that failed whole stops a rolling play
    }
  }

  private async runNodes(nodes: readonly Node<never>[], scope: Scope, hosts: readonly HostState[], p: PlannedPlay): Promise<void> {
    for (const node of nodes) {
      if (this.aborted) return;
      switch (node.kind) {
        case 'flush':
          await this.flush(p, hosts, false);
          break;
        case 'setFact':
          await this.runSetFact(node, scope, hosts, p);
          break;
        case 'task':
          await this.runTask(node, scope, hosts, p, 'task');
          break;
        case 'block': {
          const inner: Scope = {
            ...scope,
            tags: [...scope.tags, ...(node.tags ?? [])],
            when: node.when ? [...scope.when, node.when] : scope.when,
            become: node.become ?? scope.become,
          };
          const entrants = hosts.filter((h) => h.active);
          await this.runNodes(node.tasks, inner, entrants, p);
          const failedIn = entrants.filter((h) => h.failed);
          if (node.rescue && failedIn.length) {
            failedIn.forEach((h) => (h.failed = false));
            await this.runNodes(node.rescue, inner, failedIn, p);
            for (const h of failedIn.filter((x) => x.active)) {
              h.stats.failed -= 1;
              h.stats.rescued += 1;
            }
          }
          if (node.always) {
            const stillFailed = entrants.filter((h) => h.failed);
            stillFailed.forEach((h) => (h.failed = false));
            await this.runNodes(node.always, inner, entrants.filter((h) => !h.unreachable), p);
            stillFailed.forEach((h) => (h.failed = true));
          }
          break;
        }
      }
    }
  }

  private async flush(p: PlannedPlay, hosts: readonly HostState[], includeFailed: boolean): Promise<void> {
    for (const { handler, scope } of p.handlers) {
      const names = [handler.name, ...(handler.listen ?? [])];
      const targets = hosts.filter(
        (h) => (h.active || (includeFailed && h.failed && !h.unreachable)) && names.some((n) => h.notified.has(n)),
      );
      if (!targets.length) continue;
      for (const h of targets) names.forEach((n) => h.notified.delete(n));
      await this.runTask(handler.task, scope, targets, p, 'handler', includeFailed);
    }
  }

  private startGate(name: string, scope: Scope): boolean {
    if (this.started) return true;
    const want = this.opts.startAtTask!;
    if (name === want || taskLabel(name, scope) === want) this.started = true;
    return this.started;
  }

  private async runSetFact(node: Extract<Node<never>, { kind: 'setFact' }>, scope: Scope, hosts: readonly HostState[], p: PlannedPlay): Promise<void> {
    if (!selected(taskTags(node, scope), this.filter) || !this.startGate(node.name, scope)) return;
    const ref: TaskRef = { play: p.play.name, role: scope.role?.role.name, name: node.name, kind: 'setFact' };
    const targets = hosts.filter((h) => h.active);
    if (!targets.length) return;
    await this.emit({ type: 'task', task: ref, hosts: targets.map((t) => t.name) });
    for (const h of targets) {
      const t0 = Date.now();
      try {
        const view = this.view(h, scope, p);
        if ([...scope.when, node.when].some((w) => w && !w(view))) {
          h.stats.skipped += 1;
          await this.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', durationMs: 0 });
          continue;
        }
        Object.assign(h.setFacts, node.values(view));
        h.stats.ok += 1;
        await this.emit({ type: 'result', task: ref, host: h.name, status: 'ok', durationMs: Date.now() - t0 });
      } catch (e) {
        await this.fail(h, ref, e, t0, false);
      }
    }
    await this.emit({ type: 'taskDone', task: ref });
  }

  private async runTask(
    node: TaskNode<never>,
    scope: Scope,
    hosts: readonly HostState[],
    p: PlannedPlay,
    kind: 'task' | 'handler',
    includeFailed = false,
  ): Promise<void> {
    const o = node.opts;
    if (kind === 'task' && (!selected(taskTags(node, scope), this.filter) || !this.startGate(o.name, scope))) return;
    let targets = hosts.filter((h) => h.active || (includeFailed && h.failed && !h.unreachable));
    if (!targets.length) return;
    if (o.runOnce) targets = targets.slice(0, 1);
    const ref: TaskRef = { play: p.play.name, role: scope.role?.role.name, name: o.name, kind };
    await this.emit({ type: 'task', task: ref, hosts: targets.map((t) => t.name) });
    await mapLimit(targets, this.opts.forks ?? 10, (h) => this.runOnHost(node, scope, h, p, ref));
    if (o.runOnce && o.register) {
      const r = targets[0]!.registered.get(o.register);
      if (r) for (const h of hosts) h.registered.set(o.register, r);
    }
    await this.emit({ type: 'taskDone', task: ref });
    if (p.play.anyErrorsFatal && targets.some((h) => h.failed)) {
      await this.emit({ type: 'warning', message: `play '${p.play.name}' has anyErrorsFatal: stopping every host after '${o.name}' failed` });
      this.aborted = true;
      for (const h of hosts) if (h.active) h.failed = true;
    }
  }

  private async runOnHost(node: TaskNode<never>, scope: Scope, h: HostState, p: PlannedPlay, ref: TaskRef): Promise<void> {
    const o = node.opts;
    const t0 = Date.now();
    try {
      await h.facts();
      const view = this.view(h, scope, p);
      if ([...scope.when, o.when].some((w) => w && !w(view))) {
        h.stats.skipped += 1;
        await this.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', durationMs: Date.now() - t0 });
        return;
      }
      const delegate = o.delegateTo === undefined ? undefined : this.state(this.opts.inventory.host(typeof o.delegateTo === 'function' ? o.delegateTo(view) : o.delegateTo));
      const exec = delegate ?? h;
      const facts = await exec.facts();
      const items = o.loop === undefined ? [undefined] : typeof o.loop === 'function' ? o.loop(view) : o.loop;
      const results: ModuleResult[] = [];
      let failure: string | undefined;
      for (const item of items) {
        const action: Action = typeof o.action === 'function' ? o.action(view, item) : o.action;
        if (this.opts.check && !action.checkMode) {
          h.stats.skipped += 1;
          await this.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', msg: `check mode: module ${action.module} cannot predict its changes`, durationMs: Date.now() - t0 });
          return;
        }
        if ((this.opts.verbosity ?? 0) >= 2 && !o.noLog) await this.emit({ type: 'log', host: h.name, line: `${action.module}: ${action.describe}` });
        const ctx = this.context(h, exec, facts, o.noLog, o.become ?? scope.become ?? false, (o.timeout ?? this.opts.taskTimeout ?? 0) * 1000);
        const outcome = await this.attempt(action, ctx, o, view);
        results.push(outcome.result);
        if (outcome.error !== undefined) {
          failure = outcome.error;
          break;
        }
      }
      const result: ModuleResult = o.loop === undefined ? results[0]! : loopResult(results);
      if (o.register) h.registered.set(o.register, failure === undefined ? result : { ...result, failed: true, msg: failure } as ModuleResult);
      const duration = Date.now() - t0;
      const delegatedTo = delegate ? delegate.name : undefined;
      if (failure !== undefined) {
        await this.fail(h, ref, new ModuleError(failure), t0, !!o.ignoreErrors, o.noLog, delegatedTo);
        return;
      }
      const status = result.changed ? 'changed' : 'ok';
      h.stats.ok += 1;
      if (result.changed) {
        h.stats.changed += 1;
        for (const n of o.notify ?? []) h.notified.add(n);
      }
      await this.emit({
        type: 'result',
        task: ref,
        host: h.name,
        status,
        msg: o.noLog ? HIDDEN : result.msg,
        diffs: this.opts.diff && !o.noLog ? result.diffs : undefined,
        delegatedTo,
        durationMs: duration,
      });
    } catch (e) {
      await this.fail(h, ref, e, t0, !!o.ignoreErrors, o.noLog);
    }
  }

  /** One item: run with timeout, retries/until, changedWhen/failedWhen. Never throws module errors. */
  private async attempt(
    action: Action,
    ctx: ModuleContext,
    o: TaskNode<never>['opts'],
    view: HostView<never>,
  ): Promise<{ result: ModuleResult; error?: string }> {
    const tries = o.until || o.retries ? (o.retries ?? 3) + 1 : 1;
    let last: { result: ModuleResult; error?: string } = { result: { changed: false } };
    for (let n = 1; n <= tries; n++) {
      if (n > 1) {
        ctx.log(`retrying (${n}/${tries})`);
        await sleep((o.delay ?? 5) * 1000);
      }
      last = await this.once(action, ctx, o, view);
      const done = last.error === undefined && (!o.until || o.until(last.result, view));
      if (done) return last;
      if (n === tries && o.until && last.error === undefined) {
        return { result: last.result, error: `condition not met after ${tries} attempt(s)` };
      }
    }
    return last;
  }

  private async once(action: Action, ctx: ModuleContext, o: TaskNode<never>['opts'], view: HostView<never>): Promise<{ result: ModuleResult; error?: string }> {
    let result: ModuleResult & { rc?: number; stdout?: string; stderr?: string };
    try {
      result = await withTimeout(action.run(ctx), o.timeout ?? this.opts.taskTimeout ?? 0);
    } catch (e) {
      if (e instanceof UnreachableError || e instanceof ConfigError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (!o.failedWhen || !(e instanceof ModuleError)) return { result: { changed: false, msg }, error: msg };
      result = { changed: false, msg, failed: true, ...e.detail } as ModuleResult;
    }
    if (o.changedWhen) result = { ...result, changed: o.changedWhen(result, view) };
    if (o.failedWhen && o.failedWhen(result, view)) return { result, error: result.msg ?? 'failedWhen condition is true' };
    return { result: o.failedWhen ? { ...result, failed: false } as ModuleResult : result };
  }

  private async fail(h: HostState, ref: TaskRef, e: unknown, t0: number, ignore: boolean, noLog?: boolean, delegatedTo?: string): Promise<void> {
    const durationMs = Date.now() - t0;
    if (e instanceof UnreachableError) {
      h.unreachable = true;
      h.stats.unreachable += 1;
      await this.emit({ type: 'result', task: ref, host: h.name, status: 'unreachable', msg: e.message, durationMs });
      return;
    }
    const raw = e instanceof Error ? e.message : String(e);
    const msg = noLog ? HIDDEN : e instanceof ModuleError || e instanceof ConfigError ? raw : `${(e as Error).name ?? 'Error'} in task code: ${raw}`;
    if (ignore) h.stats.ignored += 1;
    else {
      h.failed = true;
      h.stats.failed += 1;
    }
    await this.emit({ type: 'result', task: ref, host: h.name, status: 'failed', msg, ignored: ignore || undefined, delegatedTo, durationMs });
  }

  private context(h: HostState, exec: HostState, facts: Facts, noLog: boolean | undefined, become: boolean, timeoutMs: number): ModuleContext {
    const verbose = (this.opts.verbosity ?? 0) >= 1 && !noLog;
    const log = (line: string): void => {
      if (verbose) void this.emit({ type: 'log', host: h.name, line });
    };
    return {
      host: exec.name,
      conn: verbose ? verboseConnection(exec.connection(), log) : exec.connection(),
      facts,
      check: !!this.opts.check,
      diff: !!this.opts.diff,
      become,
      hostCache: exec.hostCache,
      ...(timeoutMs ? { timeoutMs } : {}),
      connectionTo: (name) => this.state(this.opts.inventory.host(name)).connection(),
      log,
      secret: (v) => this.redactor.add(v),
    };
  }

  private view(h: HostState, scope: Scope, p: PlannedPlay): HostView<never> {
    const extra = this.opts.extraVars ?? {};
    let vars: Vars = h.playVars(p.play.vars ?? {}, extra);
    if (scope.role) {
      const r = scope.role.role.validate(roleInput(h.entry.vars, p.play, scope.role, h.setFacts, extra));
      if (!r.ok) throw new ConfigError(`role ${scope.role.role.name}: ${r.issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
      vars = r.vars as Vars;
    }
    const info = (name: string): HostInfo => {
      const s = this.state(this.opts.inventory.host(name));
      return {
        name: s.name,
        vars: s.playVars(p.play.vars ?? {}, extra),
        get facts(): Facts {
          const f = s.gatheredFacts;
          if (!f) throw new ModuleError(`facts of ${name} are not gathered: it has run no task yet in this run`);
          return f;
        },
        registered: <R extends ModuleResult>(k: string) => s.registered.get(k) as R | undefined,
      };
    };
    const view: HostView<Vars> = {
      name: h.name,
      vars,
      facts: h.gatheredFacts!,
      registered: <R extends ModuleResult>(k: string) => h.registered.get(k) as R | undefined,
      hostvars: info,
      groups: Object.fromEntries(this.opts.inventory.groups),
      playHosts: p.hosts,
      checkMode: !!this.opts.check,
    };
    return view as unknown as HostView<never>;
  }
}

function loopResult(results: readonly ModuleResult[]): LoopResult {
  const changed = results.some((r) => r.changed);
  return {
    changed,
    results,
    msg: results.map((r) => r.msg).filter(Boolean).join('; ') || undefined,
    diffs: results.flatMap((r) => r.diffs ?? []),
  };
}

function batch<T>(hosts: readonly T[], serial: number | `${number}%` | undefined): T[][] {
  if (serial === undefined) return [[...hosts]];
  const size = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * Number.parseFloat(serial)) / 100));
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += Math.max(1, size)) out.push(hosts.slice(i, i + Math.max(1, size)));
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** After a task's timeout, how long (beyond the timeout itself) the runner waits for its commands to be killed. */
const KILL_GRACE_SECONDS = 12;

async function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T> {
  if (!seconds) return p;
  const settled = p.then(
    () => 'done' as const,
    () => 'done' as const,
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), seconds * 1000)));
  try {
    if ((await Promise.race([settled, expired])) === 'done') return await p;
  } finally {
    clearTimeout(timer);
  }
  // The task's commands carry the same timeout (ctx.timeoutMs) and kill their process group on the host when
  // it passes. Wait for that, bounded, before failing the host: otherwise the run moves on and closes the
  // connection first, and the hung command is left running on the host.
  let cap: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise<void>((resolve) => (cap = setTimeout(resolve, (seconds + KILL_GRACE_SECONDS) * 1000)))]);
  clearTimeout(cap);
  throw new ModuleError(`timed out after ${seconds} s`);
}
