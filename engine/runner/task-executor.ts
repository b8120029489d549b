// One task on one host, as Ansible's task_executor: conditions, delegation, loop items, check mode, retries
// and until, changedWhen/failedWhen, timeouts, register, notify, and the result or failure it reports.
import { checksTask } from './task-check';
import type { Action, Facts, ModuleContext, ModuleResult } from '../types';
import type { HostView, LoopResult, TaskNode } from '../dsl';
import { ConfigError, ModuleError, UnreachableError } from '../errors';
import type { RunEvent, TaskRef } from './events';
import type { HostState } from './host-state';
import type { HostViews } from './host-view';
import type { PlannedPlay, PlannedSetFact, PlannedTask, Scope } from './plan';
import type { BatchedStep, ProbeBatch, RoundIO } from './probe-batch';
import { contextOn } from './context-on';
import { verboseConnection } from './verbose-connection';

export interface ExecutorSettings {
  readonly check: boolean;
  readonly diff: boolean;
  readonly verbosity: number;
  /** Default per-task timeout in seconds (0: none). */
  readonly taskTimeout: number;
  /** -b: become where the task, its blocks and its play say nothing. */
  readonly become: boolean;
}

/** What the executor uses of the run around it. */
export interface ExecutorEnv {
  readonly settings: ExecutorSettings;
  readonly views: HostViews;
  emit(e: RunEvent): Promise<void>;
  /** Any inventory host's state; the name is checked against the inventory. */
  host(name: string): HostState;
  /** Redact a value from every output from now on. */
  secret(value: string): void;
}

/** A task as the executor runs it: a planned task or a handler. */
export interface ExecutedTask {
  readonly node: TaskNode<never>;
  readonly scope: Scope;
}

type TaskOpts = TaskNode<never>['opts'];

/** Whether the task's commands run as the become user: its own become, else its block's or play's, else -b. */
export const taskBecome = (t: ExecutedTask, byDefault: boolean): boolean => t.node.opts.become ?? t.scope.become ?? byDefault;

/** The task's timeout in seconds (0: none): its own, else the run's default. */
export const taskTimeoutSeconds = (o: TaskOpts, runDefault: number): number => o.timeout ?? runDefault;

interface Failure {
  readonly task: TaskRef;
  readonly error: unknown;
  readonly startedAt: number;
  readonly ignoreErrors?: boolean;
  readonly noLog?: boolean;
  readonly delegatedTo?: string;
}

interface ContextOptions {
  /** The host the task is for (its output and log lines). */
  readonly host: HostState;
  /** The host whose connection runs it: itself, or the delegate. */
  readonly exec: HostState;
  readonly facts: Facts;
  readonly noLog?: boolean;
  readonly become: boolean;
  readonly timeoutMs: number;
  /** --check, unless the task runs for real under it (checkMode: false). */
  readonly check: boolean;
}

/** Where a task runs on a host: its play, its reference in the event stream and, for a task, its probe batch. */
export interface TaskPlace {
  readonly play: PlannedPlay;
  readonly ref: TaskRef;
  /** The probe batch the task is in (t is one of its tasks): its state comes from the batch's round (probe-batch.ts). */
  readonly batch?: ProbeBatch;
}

/** One item of a task: the action, its context, the task's options and view, and what a probe round decided. */
interface Attempt {
  readonly action: Action;
  readonly ctx: ModuleContext;
  readonly opts: TaskOpts;
  readonly view: HostView<never>;
  /** The action as its probe round decided it (a settled result, or the apply step with the state read). */
  readonly batched?: Extract<BatchedStep, { skipped: false }>;
}

const HIDDEN = 'the output has been hidden (noLog)';

export class TaskExecutor {
  constructor(private readonly env: ExecutorEnv) {}

  /** With `batch` (t is one of its tasks), t's state comes from the batch's probe round on h (probe-batch.ts). */
  async runTask(t: ExecutedTask, h: HostState, { play: p, ref, batch }: TaskPlace): Promise<void> {
    const o = t.node.opts;
    const { settings } = this.env;
    const t0 = Date.now();
    try {
      const batched = batch ? await batch.step(t as PlannedTask, h, p, this.roundIO(h)) : undefined;
      await h.facts();
      const view = this.env.views.of(h.name, t.scope, p.hosts);
      if (batched ? batched.skipped : [...t.scope.when, o.when].some((w) => w && !w(view))) {
        h.stats.skipped += 1;
        await this.env.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', durationMs: Date.now() - t0 });
        return;
      }
      const delegate = o.delegateTo === undefined ? undefined : this.env.host(typeof o.delegateTo === 'function' ? o.delegateTo(view) : o.delegateTo);
      const exec = delegate ?? h;
      const facts = await exec.facts();
      const items = o.loop === undefined ? [undefined] : typeof o.loop === 'function' ? o.loop(view) : o.loop;
      const results: ModuleResult[] = [];
      let failure: string | undefined;
      for (const item of items) {
        const action: Action = batched?.skipped === false ? batched.action : typeof o.action === 'function' ? o.action(view, item) : o.action;
        const check = checksTask(settings.check, o);
        if (check && !action.checkMode) {
          h.stats.skipped += 1;
          await this.env.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', msg: `check mode: module ${action.module} cannot predict its changes`, durationMs: Date.now() - t0 });
          return;
        }
        if (settings.verbosity >= 2 && !o.noLog) await this.env.emit({ type: 'log', host: h.name, line: `${action.module}: ${action.describe}` });
        const ctx = this.context({ host: h, exec, facts, noLog: o.noLog, become: taskBecome(t, settings.become), timeoutMs: this.timeoutSeconds(o) * 1000, check });
        const outcome = await this.attempt({ action, ctx, opts: o, view, batched: batched?.skipped === false ? batched : undefined });
        results.push(outcome.result);
        if (outcome.error !== undefined) {
          failure = outcome.error;
          break;
        }
      }
      const result: ModuleResult = o.loop === undefined ? results[0]! : loopResult(results);
      if (o.register) h.registered.set(o.register, failure === undefined ? result : ({ ...result, failed: true, msg: failure } as ModuleResult));
      const duration = Date.now() - t0;
      const delegatedTo = delegate ? delegate.name : undefined;
      if (failure !== undefined) {
        await this.fail(h, { task: ref, error: new ModuleError(failure), startedAt: t0, ignoreErrors: o.ignoreErrors, noLog: o.noLog, delegatedTo });
        return;
      }
      const status = result.changed ? 'changed' : 'ok';
      h.stats.ok += 1;
      if (result.changed) {
        h.stats.changed += 1;
        for (const n of o.notify ?? []) h.notified.add(n);
      }
      await this.env.emit({
        type: 'result',
        task: ref,
        host: h.name,
        status,
        msg: o.noLog ? HIDDEN : result.msg,
        diffs: settings.diff && !o.noLog ? result.diffs : undefined,
        delegatedTo,
        durationMs: duration,
      });
    } catch (e) {
      await this.fail(h, { task: ref, error: e, startedAt: t0, ignoreErrors: o.ignoreErrors, noLog: o.noLog });
    }
  }

  async runSetFact(t: PlannedSetFact, h: HostState, { play: p, ref }: TaskPlace): Promise<void> {
    const t0 = Date.now();
    try {
      const view = this.env.views.of(h.name, t.scope, p.hosts);
      if ([...t.scope.when, t.node.when].some((w) => w && !w(view))) {
        h.stats.skipped += 1;
        await this.env.emit({ type: 'result', task: ref, host: h.name, status: 'skipped', durationMs: 0 });
        return;
      }
      h.setFact(t.node.values(view));
      h.stats.ok += 1;
      await this.env.emit({ type: 'result', task: ref, host: h.name, status: 'ok', durationMs: Date.now() - t0 });
    } catch (e) {
      await this.fail(h, { task: ref, error: e, startedAt: t0 });
    }
  }

  private timeoutSeconds(o: TaskOpts): number {
    return taskTimeoutSeconds(o, this.env.settings.taskTimeout);
  }

  /** One item: run with timeout, retries/until, changedWhen/failedWhen. Never throws module errors. */
  private async attempt({ action, ctx, opts: o, view, batched }: Attempt): Promise<{ result: ModuleResult; error?: string }> {
    const tries = o.until || o.retries ? (o.retries ?? 3) + 1 : 1;
    let last: { result: ModuleResult; error?: string } = { result: { changed: false } };
    for (let n = 1; n <= tries; n++) {
      if (n > 1) {
        ctx.log(`retrying (${n}/${tries})`);
        await sleep((o.delay ?? 5) * 1000);
      }
      last = await this.once(batched ?? action, ctx, o, view);
      const done = last.error === undefined && (!o.until || o.until(last.result, view));
      if (done) return last;
      if (n === tries && o.until && last.error === undefined) {
        return { result: last.result, error: `condition not met after ${tries} attempt(s)` };
      }
    }
    return last;
  }

  private async once(runner: Pick<Action, 'run'>, ctx: ModuleContext, o: TaskOpts, view: HostView<never>): Promise<{ result: ModuleResult; error?: string }> {
    let result: ModuleResult & { rc?: number; stdout?: string; stderr?: string };
    try {
      result = await withTimeout(runner.run(ctx), this.timeoutSeconds(o));
    } catch (e) {
      if (e instanceof UnreachableError || e instanceof ConfigError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (!o.failedWhen || !(e instanceof ModuleError)) return { result: { changed: false, msg }, error: msg };
      result = { changed: false, msg, failed: true, ...e.detail } as ModuleResult;
    }
    if (o.changedWhen) result = { ...result, changed: o.changedWhen(result, view) };
    if (o.failedWhen && o.failedWhen(result, view)) return { result, error: result.msg ?? 'failedWhen condition is true' };
    return { result: o.failedWhen ? ({ ...result, failed: false } as ModuleResult) : result };
  }

  private async fail(h: HostState, f: Failure): Promise<void> {
    const durationMs = Date.now() - f.startedAt;
    const e = f.error;
    if (e instanceof UnreachableError) {
      h.unreachable = true;
      h.stats.unreachable += 1;
      await this.env.emit({ type: 'result', task: f.task, host: h.name, status: 'unreachable', msg: e.message, durationMs });
      return;
    }
    const raw = e instanceof Error ? e.message : String(e);
    const msg = f.noLog ? HIDDEN : e instanceof ModuleError || e instanceof ConfigError ? raw : `${(e as Error).name ?? 'Error'} in task code: ${raw}`;
    const ignore = !!f.ignoreErrors;
    if (ignore) h.stats.ignored += 1;
    else {
      h.failed = true;
      h.stats.failed += 1;
    }
    await this.env.emit({ type: 'result', task: f.task, host: h.name, status: 'failed', msg, ignored: ignore || undefined, delegatedTo: f.delegatedTo, durationMs });
  }

  /** The -v log of a host's output (nothing below -v or for noLog tasks), and its connection logging through it. */
  private logOf(host: HostState, noLog?: boolean): { readonly verbose: boolean; log(line: string): void } {
    const verbose = this.env.settings.verbosity >= 1 && !noLog;
    return {
      verbose,
      log: (line) => {
        if (verbose) void this.env.emit({ type: 'log', host: host.name, line });
      },
    };
  }

  /** How a probe round on h sends its command (batched tasks are never noLog nor delegated). */
  private roundIO(h: HostState): RoundIO {
    const { verbose, log } = this.logOf(h);
    return { conn: verbose ? verboseConnection(h.connection(), log) : h.connection(), log };
  }

  private context(c: ContextOptions): ModuleContext {
    const { verbose, log } = this.logOf(c.host, c.noLog);
    const ctx: ModuleContext = {
      host: c.exec.name,
      conn: verbose ? verboseConnection(c.exec.connection(), log) : c.exec.connection(),
      facts: c.facts,
      check: c.check,
      diff: this.env.settings.diff,
      become: c.become,
      hostCache: c.exec.hostCache,
      ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
      connectionTo: (name) => this.env.host(name).connection(),
      on: (name) => contextOn(ctx, name),
      log,
      secret: (v) => this.env.secret(v),
    };
    return ctx;
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
