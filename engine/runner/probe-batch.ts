// Probe batches: the state of consecutive independent tasks read in one command per host (the facts with the
// first), so that only the tasks whose state differs run their apply step. The one owner of the batching rules:
//   membership  consecutive selected tasks of one step list with the same become and timeout, none with runOnce,
//               delegateTo, loop, until/retries or noLog; any other step (setFact, block, flush) ends a batch, and
//               handlers are never batched. A task whose module has no probe ends a round, not the batch.
//   a round     per host, from the task whose turn it is: the batch's tasks are evaluated in order (when, the
//               action, its probe) through a view that stops the round before a task whose callbacks read what
//               may still change before its turn (a result a task before it in the round registers, another
//               host's facts not gathered yet, this host's facts when not gathered yet) or that throws (it then
//               reports at its turn), and after the first task without a probe; their reads go in one command
//               (framing.ts's sections), the facts with them when the host has none yet. A round that fails
//               (unreachable, timed out, unparsable) decides nothing: each task then runs as without batches.
//   staleness   a task that runs its apply step (or its whole run) on any host makes the later answers on the
//               paths it may change stale on every host, all of them when it does not say which (a command, a
//               service: another host's may reach this one, hosts may share files); checked at each task's turn,
//               when lockstep has finished the tasks before it everywhere. A stale or missing answer starts a new
//               round at that task's turn. Under --check nothing changes, so nothing goes stale.
// The probe contract itself is modules/lib/define.ts's (engine/types.ts has what the runner sees of it).
import { checksTask } from './task-check';
import type { Action, ActionProbe, Connection, Facts, HostName, ModuleContext, ModuleResult, ProbeAnswer, ProbeAnswers, ProbeDecision, ProbeKind, ProbeRead } from '../types';
import { FACTS_SCRIPT, factsFrom } from '../facts';
import { newToken, parseSections, sectionsScript } from '../connection/framing';
import type { HostState } from './host-state';
import type { HostViews, RunSoFar } from './host-view';
import type { PlannedPlay, PlannedStep, PlannedTask } from './plan';
import { taskBecome, taskTimeoutSeconds } from './task-executor';

export interface BatchEnv {
  readonly check: boolean;
  readonly diff: boolean;
  /** Default per-task timeout in seconds (0: none). */
  readonly taskTimeout: number;
  /** -b: become where the task, its blocks and its play say nothing. */
  readonly become: boolean;
  readonly views: HostViews;
  /** The run so far, as task callbacks see it at their turn. */
  readonly state: RunSoFar;
}

/** What a task's turn gets from its batch on one host: skipped by its `when`, or its action and how to run it. */
export type BatchedStep =
  | { readonly skipped: true }
  | { readonly skipped: false; readonly action: Action; run(ctx: ModuleContext): Promise<ModuleResult> };

/** The connection a round's command goes through (the -v logging one under -v), and the -v log. */
export interface RoundIO {
  readonly conn: Connection;
  log(line: string): void;
}

interface Entry {
  /** The task whose turn evaluated and read it. */
  readonly readAt: PlannedTask;
  readonly skipped: boolean;
  readonly action?: Action;
  readonly probe?: ActionProbe;
  /** Every read of its probe answered by the round; undefined: run() reads the state itself. */
  answers?: ProbeAnswers;
  /** Paths the answers reflect. */
  paths: readonly string[];
}

/** What a task changed on the hosts that ran it so far: paths, or anything. */
type Change = { readonly paths: string[] } | 'anything';

/** A round's evaluations, by task. */
type Round = Map<PlannedTask, Entry>;

export class ProbeBatch {
  private readonly rounds = new Map<HostState, Round>();
  /** By task, what it changed on any host (recorded before the change is made). */
  private readonly changes = new Map<PlannedTask, Change>();

  private constructor(
    private readonly tasks: readonly PlannedTask[],
    private readonly env: BatchEnv,
    /** Every task of the batch has these (batchKey): so has the round's command. */
    private readonly become: boolean,
    private readonly timeoutSeconds: number,
  ) {}

  /** The batch that starts with steps[at], or undefined when that step cannot start one. */
  static plan(steps: readonly PlannedStep[], at: number, env: BatchEnv): ProbeBatch | undefined {
    const first = steps[at];
    if (first?.kind !== 'task' || !batchable(first)) return undefined;
    const key = batchKey(first, env);
    const tasks: PlannedTask[] = [first];
    for (const s of steps.slice(at + 1)) {
      if (s.kind !== 'task') break;
      if (!s.selected) continue; // never runs: it neither joins nor ends the batch
      if (!batchable(s) || batchKey(s, env) !== key) break;
      tasks.push(s);
    }
    return new ProbeBatch(tasks, env, taskBecome(first, env.become), taskTimeoutSeconds(first.node.opts, env.taskTimeout));
  }

  has(t: PlannedTask): boolean {
    return this.tasks.includes(t);
  }

  /** At t's turn on h: the round's evaluation of t, after reading a new round when t has no answer or a stale one. */
  async step(t: PlannedTask, h: HostState, p: PlannedPlay, io: RoundIO): Promise<BatchedStep | undefined> {
    let entry = this.rounds.get(h)?.get(t);
    if (!entry || this.stale(entry, t)) entry = (await this.round(t, h, p, io)).get(t);
    if (!entry) {
      this.changed(t, 'anything'); // evaluated at its turn without the batch (its callbacks throw): assume the worst
      return undefined;
    }
    if (entry.skipped) return { skipped: true };
    const found = entry;
    const action = found.action!;
    return {
      skipped: false,
      action,
      run: (ctx) => {
        const decision = found.answers && decided(found.probe!, found.answers, ctx);
        if (decision && 'settled' in decision) {
          if (found.readAt !== t) io.log(`nothing to do: its state came with the command read at task '${found.readAt.node.opts.name}'`);
          return Promise.resolve(decision.settled);
        }
        // A run that read the state itself may have resolved its paths another way: anything may have changed.
        const writes = decision ? found.probe!.writes : undefined;
        this.changed(t, writes === undefined ? 'anything' : { paths: [...writes, ...found.paths] });
        return decision ? decision.apply(ctx) : action.run(ctx);
      },
    };
  }

  private async round(t: PlannedTask, h: HostState, p: PlannedPlay, io: RoundIO): Promise<Round> {
    const from = this.tasks.indexOf(t);
    let round = this.evaluate(from, h, p);
    if (!round.size && !h.gatheredFacts) {
      await h.facts(); // the task's own callbacks need them: gathered as without batches, then read ahead
      round = this.evaluate(from, h, p);
    }
    this.rounds.set(h, round);
    // Facts read under sudo would name root as the user: they join the round only when become changes nothing.
    const withFacts = !h.gatheredFacts && (!this.become || io.conn.loginIsBecomeUser === true);
    await this.read(round, h, withFacts, io);
    return round;
  }

  /** The tasks from `from` on, as far as they can be evaluated now (see the file's opening comment). */
  private evaluate(from: number, h: HostState, p: PlannedPlay): Round {
    const round: Round = new Map();
    const registered = new Set<string>();
    for (const t of this.tasks.slice(from)) {
      const o = t.node.opts;
      const ahead = new ReadAhead(this.env.state, h.name, round.size > 0, registered);
      let entry: Entry;
      try {
        const view = this.env.views.of(h.name, t.scope, p.hosts, ahead);
        const skipped = [...t.scope.when, o.when].some((w) => w && !w(view));
        const action = skipped ? undefined : typeof o.action === 'function' ? o.action(view, undefined) : o.action;
        const check = checksTask(this.env.check, o);
        const probe = action && !(check && !action.checkMode) ? action.probe?.({ check, diff: this.env.diff }) : undefined;
        if (ahead.tripped) break;
        entry = { readAt: this.tasks[from]!, skipped, action, probe, paths: [] };
      } catch {
        break; // reads what may still change, or throws: evaluated (and reported) at its own turn
      }
      round.set(t, entry);
      if (o.register) registered.add(o.register);
      if (!entry.skipped && !entry.probe) break; // runs without a probe: what follows is read after it
    }
    return round;
  }

  /** One command: every probe's reads (each question once), the facts first when wanted. */
  private async read(round: Round, h: HostState, withFacts: boolean, io: RoundIO): Promise<void> {
    const probed = [...round.values()].filter((e) => e.probe);
    if (!probed.length) return;
    const questions = new Map<ProbeKind<unknown, unknown>, Map<string, unknown>>();
    for (const e of probed) {
      for (const r of e.probe!.reads) {
        let asked = questions.get(r.kind);
        if (!asked) questions.set(r.kind, (asked = new Map()));
        const key = r.kind.key(r.request);
        if (!asked.has(key)) asked.set(key, r.request);
      }
    }
    const sections: string[] = withFacts ? [FACTS_SCRIPT] : [];
    const spans = [...questions].map(([kind, asked]) => {
      const requests = [...asked.values()];
      const scripts = kind.scripts(requests);
      const span = { kind, keys: [...asked.keys()], requests, at: sections.length, count: scripts.length };
      sections.push(...scripts);
      return span;
    });
    let outputs: ReturnType<typeof parseSections> = [];
    if (sections.length) {
      const token = newToken();
      try {
        io.log(`one command reads the state of the next ${probed.length} task(s)${withFacts ? ' and the facts' : ''}`);
        const timeout = this.timeoutSeconds ? { timeoutMs: this.timeoutSeconds * 1000 } : {};
        const r = await io.conn.exec(sectionsScript(sections, token), { become: this.become, ...timeout });
        outputs = parseSections(r.stdout, token, sections.length);
      } catch {
        return; // each task reads, and reports, at its own turn (an unreachable host exactly as without batches)
      }
    }
    if (withFacts && outputs[0]) adoptFacts(h, outputs[0]);
    const answers = new Map<ProbeKind<unknown, unknown>, Map<string, ProbeAnswer<unknown>>>();
    for (const s of spans) {
      let got: readonly (ProbeAnswer<unknown> | undefined)[] = [];
      try {
        got = s.kind.answers(outputs.slice(s.at, s.at + s.count), s.requests);
      } catch {
        // unparsable: those tasks read the state themselves
      }
      answers.set(s.kind, new Map(s.keys.flatMap((k, i) => (got[i] ? [[k, got[i]] as const] : []))));
    }
    const answerOf = (r: ProbeRead): ProbeAnswer<unknown> | undefined => answers.get(r.kind)?.get(r.kind.key(r.request));
    for (const e of probed) {
      const mine = e.probe!.reads.map(answerOf);
      if (mine.some((a) => !a)) continue;
      const lookup: ProbeAnswers = {
        get: <A>(read: ProbeRead<unknown, A>): A => {
          const a = answerOf(read);
          if (!a) throw new Error(`no answer for a ${read.kind.name} read`);
          return a.value as A;
        },
      };
      e.answers = lookup;
      e.paths = mine.flatMap((a) => a!.paths);
    }
  }

  /** t is about to change `what` on a host. */
  private changed(t: PlannedTask, what: Change): void {
    if (this.env.check) return;
    const had = this.changes.get(t);
    if (had === 'anything') return;
    this.changes.set(t, what === 'anything' ? what : { paths: [...(had?.paths ?? []), ...what.paths] });
  }

  /** Whether a task from the entry's read up to t (excluded) changed, on any host, what the entry's answers reflect. */
  private stale(entry: Entry, t: PlannedTask): boolean {
    if (!entry.answers) return false; // nothing read: its run reads the state itself
    const between = this.tasks.slice(this.tasks.indexOf(entry.readAt), this.tasks.indexOf(t));
    return between.some((b) => {
      const c = this.changes.get(b);
      return c !== undefined && (c === 'anything' || entry.paths.some((a) => c.paths.some((w) => overlaps(a, w))));
    });
  }
}

/** What may share a batch, whatever the tasks around it. */
function batchable(t: PlannedTask): boolean {
  const o = t.node.opts;
  return !o.runOnce && o.delegateTo === undefined && o.loop === undefined && !o.until && o.retries === undefined && !o.noLog;
}

/** A round's command runs with one become and one timeout. */
function batchKey(t: PlannedTask, env: BatchEnv): string {
  return `${taskBecome(t, env.become)}|${taskTimeoutSeconds(t.node.opts, env.taskTimeout)}`;
}

/** The probe's decision, or undefined when the answers do not fit (run() then reads the state itself). */
function decided(probe: ActionProbe, answers: ProbeAnswers, ctx: ModuleContext): ProbeDecision<ModuleResult> | undefined {
  try {
    return probe.decide(answers, ctx);
  } catch {
    return undefined;
  }
}

function adoptFacts(h: HostState, out: { readonly code: number; readonly stdout: string }): void {
  let facts: Facts;
  try {
    facts = factsFrom(out);
  } catch {
    return; // gathered on their own at the task's turn, which reports a failure as without batches
  }
  h.adoptFacts(facts);
}

/** One path is the other, or inside it. */
function overlaps(a: string, b: string): boolean {
  const inside = (x: string, dir: string): boolean => x === dir || x.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
  return inside(a, b) || inside(b, a);
}

/** Thrown to stop evaluating a task ahead of its turn. */
class ReadsAhead extends Error {}

/**
 * The run so far for a task evaluated before its turn: what may still change by then trips it (tripped stays
 * set even when task code catches the throw).
 */
class ReadAhead implements RunSoFar {
  tripped = false;

  constructor(
    private readonly live: RunSoFar,
    private readonly self: HostName,
    /** Evaluated ahead of the round's first task: other hosts are still running the tasks before it. */
    private readonly ahead: boolean,
    /** Results the round's tasks before it register. */
    private readonly registeredBefore: ReadonlySet<string>,
  ) {}

  facts(host: HostName): Facts | undefined {
    const f = this.live.facts(host);
    if (!f && (host === this.self || this.ahead)) this.trip();
    return f;
  }

  registered(host: HostName, name: string): ModuleResult | undefined {
    if (this.registeredBefore.has(name)) this.trip();
    return this.live.registered(host, name);
  }

  setFacts(host: HostName): ReturnType<RunSoFar['setFacts']> {
    return this.live.setFacts(host);
  }

  private trip(): never {
    this.tripped = true;
    throw new ReadsAhead();
  }
}
