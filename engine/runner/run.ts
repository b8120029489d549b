// The linear (lockstep) strategy: plays, serial batches, blocks, handlers; each task finishes on every host of
// the batch before the next starts. What one task does on one host is task-executor.ts's.
import type { Connection, HostName } from '../types';
import type { HostEntry } from '../inventory/types';
import type { Playbook } from '../dsl';
import type { HostStats, Reporter, RunEvent, TaskRef } from './events';
import { HostState } from './host-state';
import { HostViews, type RunSoFar } from './host-view';
import { mapLimit } from './pool';
import { Redactor } from '../secrets/redact';
import { planPlaybook, type Plan, type PlanOptions, type PlannedBlock, type PlannedPlay, type PlannedSetFact, type PlannedStep, type PlannedTask } from './plan';
import { ProbeBatch, type BatchEnv } from './probe-batch';
import { TaskExecutor, type ExecutedTask } from './task-executor';

/** How the plan is run (what is run is the plan's). */
export interface RunSettings {
  readonly connect: (entry: HostEntry) => Connection;
  readonly reporter: Reporter;
  readonly diff?: boolean;
  readonly forks?: number;
  readonly verbosity?: number;
  readonly forceHandlers?: boolean;
  /** Default per-task timeout in seconds (0: none). */
  readonly taskTimeout?: number;
  /** Aborting (Ctrl-C) lets in-flight tasks finish, starts no new one, and ends with the recap. */
  readonly signal?: AbortSignal;
  /** -b: become for tasks whose play, block and task say nothing about it. */
  readonly become?: boolean;
  /** --step: asked before each task (not handlers); false skips the task. */
  readonly step?: (task: TaskRef) => Promise<boolean>;
}

export interface RunOptions extends PlanOptions, RunSettings {}

export interface RunSummary {
  readonly exitCode: 0 | 2 | 4 | 130;
  readonly stats: Readonly<Record<string, HostStats>>;
}

export async function runPlaybook(pb: Playbook, opts: RunOptions): Promise<RunSummary> {
  return runPlan(planPlaybook(pb, opts), opts);
}

export function runPlan(plan: Plan, settings: RunSettings): Promise<RunSummary> {
  return new Run(plan, settings).execute();
}

interface TaskRun {
  readonly play: PlannedPlay;
  readonly kind: 'task' | 'handler';
  /** Handlers under --force-handlers also run on hosts that failed. */
  readonly includeFailed?: boolean;
  /** The probe batch the task is in (probe-batch.ts): its state is read with the tasks around it. */
  readonly batch?: ProbeBatch;
}

class Run {
  private readonly states = new Map<HostName, HostState>();
  /** Hosts some play ran on: the recap's lines (a host only delegated to has none, as in Ansible). */
  private readonly played = new Set<HostName>();
  private readonly redactor = new Redactor();
  private readonly executor: TaskExecutor;
  private readonly batchEnv: BatchEnv;
  /** The probe batch the task steps being run belong to. */
  private batch?: ProbeBatch;
  private started: boolean;
  private aborted = false;

  constructor(
    private readonly plan: Plan,
    private readonly settings: RunSettings,
  ) {
    this.started = !plan.startAt;
    for (const s of plan.inventory.secrets) this.redactor.add(s);
    settings.signal?.addEventListener('abort', () => (this.aborted = true), { once: true });
    const soFar: RunSoFar = {
      facts: (h) => this.state(h).gatheredFacts,
      registered: (h, name) => this.state(h).registered.get(name),
      setFacts: (h) => this.state(h).setFacts,
    };
    const views = new HostViews({ inventory: plan.inventory, extraVars: plan.extraVars, roleVars: plan.roleVars, state: soFar, checkMode: plan.check });
    this.batchEnv = { check: plan.check, diff: !!settings.diff, taskTimeout: settings.taskTimeout ?? 0, become: settings.become ?? false, views, state: soFar };
    this.executor = new TaskExecutor({
      settings: { check: plan.check, diff: !!settings.diff, verbosity: settings.verbosity ?? 0, taskTimeout: settings.taskTimeout ?? 0, become: settings.become ?? false },
      views,
      emit: this.emit,
      host: (name) => this.state(plan.inventory.host(name)),
      secret: (v) => this.redactor.add(v),
    });
  }

  private emit = async (e: RunEvent): Promise<void> => this.settings.reporter.emit(this.redactor.redactDeep(e));

  private state(host: HostName): HostState {
    let s = this.states.get(host);
    if (!s) {
      s = new HostState(this.plan.inventory.hosts.get(host)!, this.settings.connect);
      this.states.set(host, s);
    }
    return s;
  }

  async execute(): Promise<RunSummary> {
    await this.emit({ type: 'playbook', name: this.plan.playbook.name, check: this.plan.check });
    for (const t of this.plan.unknownTags) {
      await this.emit({ type: 'warning', message: `tag '${t}' is not used by any task of this playbook` });
    }
    try {
      for (const p of this.plan.plays) {
        if (this.aborted) break;
        await this.runPlay(p);
      }
      if (!this.started) {
        await this.emit({ type: 'warning', message: `--start-at-task '${this.plan.startAt!.name}': no task has that name` });
      }
    } finally {
      await Promise.all([...this.states.values()].map((s) => s.close()));
    }
    const stats = Object.fromEntries([...this.states].filter(([h]) => this.played.has(h)).map(([h, s]) => [h, s.stats]));
    const all = [...this.states.values()];
    const exitCode = all.some((s) => s.unreachable) ? 4 : all.some((s) => s.failed) ? 2 : this.aborted ? 130 : 0;
    await this.emit({ type: 'recap', stats, exitCode });
    await this.settings.reporter.close?.();
    return { exitCode, stats };
  }

  private async runPlay(p: PlannedPlay): Promise<void> {
    p.hosts.forEach((h) => this.played.add(h));
    const hosts = p.hosts.map((h) => this.state(h)).filter((s) => s.active);
    if (!hosts.length) {
      const limit = this.plan.limit;
      await this.emit({ type: 'warning', message: `play '${p.play.name}': no hosts matched '${p.play.hosts}'${limit ? ` with --limit ${limit}` : ''}` });
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
      this.batch = undefined;
      await this.runSteps(p.steps, members, p);
      await this.flush(p, members, !!this.settings.forceHandlers);
      if (members.every((m) => !m.active)) return; // a batch that failed whole stops a rolling play
    }
  }

  private async runSteps(steps: readonly PlannedStep[], hosts: readonly HostState[], p: PlannedPlay): Promise<void> {
    for (const [i, step] of steps.entries()) {
      if (this.aborted) return;
      switch (step.kind) {
        case 'flush':
          await this.flush(p, hosts, false);
          break;
        case 'setFact':
          if (this.reached(step)) await this.runSetFact(step, hosts, p);
          break;
        case 'task':
          if (this.reached(step)) await this.runTask(step, hosts, { play: p, kind: 'task', batch: this.batchAt(steps, i) });
          break;
        case 'block':
          await this.runBlock(step, hosts, p);
          break;
      }
    }
  }

  private async runBlock(b: PlannedBlock, hosts: readonly HostState[], p: PlannedPlay): Promise<void> {
    const entrants = hosts.filter((h) => h.active);
    await this.runSteps(b.tasks, entrants, p);
    const failedIn = entrants.filter((h) => h.failed);
    if (b.rescue && failedIn.length) {
      failedIn.forEach((h) => (h.failed = false));
      await this.runSteps(b.rescue, failedIn, p);
      // A host failed along with a run-once task counted no failure of its own.
      for (const h of failedIn.filter((x) => x.active && x.stats.failed > 0)) {
        h.stats.failed -= 1;
        h.stats.rescued += 1;
      }
    }
    if (b.always) {
      const stillFailed = entrants.filter((h) => h.failed);
      stillFailed.forEach((h) => (h.failed = false));
      await this.runSteps(b.always, entrants.filter((h) => !h.unreachable), p);
      stillFailed.forEach((h) => (h.failed = true));
    }
  }

  private async flush(p: PlannedPlay, hosts: readonly HostState[], includeFailed: boolean): Promise<void> {
    for (const h of p.handlers) {
      const names = [h.handler.name, ...(h.handler.listen ?? [])];
      const targets = hosts.filter(
        (s) => (s.active || (includeFailed && s.failed && !s.unreachable)) && names.some((n) => s.notified.has(n)),
      );
      if (!targets.length) continue;
      for (const s of targets) names.forEach((n) => s.notified.delete(n));
      await this.runTask(h, targets, { play: p, kind: 'handler', includeFailed });
    }
  }

  /** --step's answer for this task (always yes without --step). */
  private async stepAllows(ref: TaskRef): Promise<boolean> {
    return this.settings.step ? this.settings.step(ref) : true;
  }

  /** The probe batch steps[i] (a task being run) belongs to: the current one, or one that starts there. */
  private batchAt(steps: readonly PlannedStep[], i: number): ProbeBatch | undefined {
    const step = steps[i]!;
    if (step.kind === 'task' && this.batch?.has(step)) return this.batch;
    this.batch = ProbeBatch.plan(steps, i, this.batchEnv);
    return this.batch;
  }

  /** Selected by the tags, and at or past --start-at-task (which, once reached, stays reached: later batches run whole). */
  private reached(t: PlannedTask | PlannedSetFact): boolean {
    if (!t.selected) return false;
    if (!this.started && this.plan.startAt!.indices.has(t.index)) this.started = true;
    return this.started;
  }

  private async runSetFact(t: PlannedSetFact, hosts: readonly HostState[], p: PlannedPlay): Promise<void> {
    const ref: TaskRef = { play: p.play.name, role: t.scope.role?.role.name, name: t.node.name, kind: 'setFact' };
    const targets = hosts.filter((h) => h.active);
    if (!targets.length || !(await this.stepAllows(ref))) return;
    await this.emit({ type: 'task', task: ref, hosts: targets.map((h) => h.name) });
    for (const h of targets) await this.executor.runSetFact(t, h, { play: p, ref });
    await this.emit({ type: 'taskDone', task: ref });
  }

  /**
   * A run-once task stands for every host: when it fails, every host of the batch fails with it (Ansible's
   * linear strategy marks them all failed), so the next run-once step cannot move on to another host and
   * finish half of a cluster-wide change. Only the host that ran it counts the failure in the recap.
   */
  private async failRunOnceEverywhere(name: string, hosts: readonly HostState[]): Promise<void> {
    const others = hosts.filter((h) => h.active);
    if (!others.length) return;
    for (const h of others) h.failed = true;
    await this.emit({ type: 'warning', message: `run-once task '${name}' failed: ${others.map((h) => h.name).join(', ')} stop${others.length === 1 ? 's' : ''} with it` });
  }

  private async runTask(t: ExecutedTask, hosts: readonly HostState[], r: TaskRun): Promise<void> {
    const o = t.node.opts;
    const p = r.play;
    let targets = hosts.filter((h) => h.active || (r.includeFailed && h.failed && !h.unreachable));
    if (!targets.length) return;
    if (o.runOnce) targets = targets.slice(0, 1);
    const ref: TaskRef = { play: p.play.name, role: t.scope.role?.role.name, name: o.name, kind: r.kind };
    if (r.kind === 'task' && !(await this.stepAllows(ref))) return;
    await this.emit({ type: 'task', task: ref, hosts: targets.map((h) => h.name) });
    await mapLimit(targets, this.settings.forks ?? 10, (h) => this.executor.runTask(t, h, { play: p, ref, batch: r.batch }));
    if (o.runOnce && o.register) {
      const result = targets[0]!.registered.get(o.register);
      if (result) for (const h of hosts) h.registered.set(o.register, result);
    }
    await this.emit({ type: 'taskDone', task: ref });
    if (o.runOnce && targets[0]!.failed) await this.failRunOnceEverywhere(o.name, hosts);
    if (p.play.anyErrorsFatal && targets.some((h) => h.failed)) {
      await this.emit({ type: 'warning', message: `play '${p.play.name}' has anyErrorsFatal: stopping every host after '${o.name}' failed` });
      this.aborted = true;
      for (const h of hosts) if (h.active) h.failed = true;
    }
  }
}

function batch<T>(hosts: readonly T[], serial: number | `${number}%` | undefined): T[][] {
  if (serial === undefined) return [[...hosts]];
  const size = typeof serial === 'number' ? serial : Math.max(1, Math.floor((hosts.length * Number.parseFloat(serial)) / 100));
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += Math.max(1, size)) out.push(hosts.slice(i, i + Math.max(1, size)));
  return out;
}
