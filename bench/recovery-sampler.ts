// The readings a fail-over is timed from, taken while it runs: per node, pacemaker's view and the node's own
// state, each in its own loop on its own SSH connection (a slow crm_mon must not coarsen the DRBD and mount
// readings), and the API on the floating IP from the controller. Times are monotonic; offsets count from the
// event; readings before it are the state the milestones change.
import { performance } from 'node:perf_hooks';
import { newToken } from '../engine/connection/framing';
import type { Connection, ExecResult } from '../engine/types';
import { sleep } from '../lab/proc';
import { apiOnVip } from '../lab/vip-api';
import { CLUSTER_PROBE, nodeProbe, readClusterView, readNodeView, type ClusterView, type NodeView } from './recovery-probe';
import type { Resolution } from './recovery-report';
import { unreached, type ApiReading, type Milestone, type MilestoneId, type Observations, type Reading } from './recovery-timeline';
import { median } from './stats';

/** The API waits this long for an answer; a new request goes out every interval meanwhile (at most MAX_IN_FLIGHT). */
const API_TIMEOUT_MS = 1000;
const MAX_IN_FLIGHT = 20;
/** After an SSH error (a node going away), wait before reading again. */
const ERROR_PAUSE_MS = 500;

interface Timed<T> {
  readonly start: number;
  readonly end: number;
  readonly node: string;
  readonly view: T;
}

interface Answer {
  readonly at: number;
  readonly hostname: string;
}

const gaps = (ts: readonly number[]): number[] => ts.slice(1).map((t, i) => t - ts[i]!);

export class Recorder {
  private eventAt: number | undefined;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  /** Readings per loop, to know when every probe has answered once. */
  private readonly counts: number[] = [];
  private readonly cluster: Timed<ClusterView>[] = [];
  private readonly nodes: Timed<NodeView>[] = [];
  private readonly answers: Answer[] = [];
  private readonly sent: number[] = [];
  private readonly marks: Partial<Record<MilestoneId, number>> = {};

  constructor(private readonly everyMs: number) {}

  /** crm_mon on `node`, over `conn` (a connection of its own). */
  readCluster(conn: Connection, node: string): void {
    const parse = (r: ExecResult): ClusterView | undefined => {
      if (r.code !== 0) return undefined; // pacemaker not answering yet: no reading
      try {
        return readClusterView(r.stdout);
      } catch {
        return undefined;
      }
    };
    this.start(conn, node, CLUSTER_PROBE, parse, this.cluster);
  }

  /** DRBD, the mount and the vProtect unit on `node`, over `conn` (a connection of its own). */
  readNode(conn: Connection, node: string): void {
    const token = newToken();
    this.start(conn, node, nodeProbe(token), (r) => readNodeView(r.stdout, token), this.nodes);
  }

  pollApi(): void {
    const i = this.counts.push(0) - 1;
    this.loops.push(this.apiLoop(i));
  }

  /** The event happens now. */
  event(): void {
    this.eventAt = performance.now();
  }

  /** An instant measured directly (e.g. a restarted node's sshd answering). */
  mark(id: MilestoneId): void {
    this.marks[id] = performance.now();
  }

  /** Until every probe started so far has answered once: the SSH sessions are up before the event. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.counts.some((n) => n === 0)) {
      if (performance.now() > deadline) throw new Error(`the recovery probes did not all answer within ${timeoutMs / 1000} s before the event`);
      await sleep(50);
    }
  }

  /** Every reading so far, ms from the event (those before it negative: the state the milestones change). */
  observations(): Observations {
    const t0 = this.eventAt ?? Infinity;
    const rel = <T>(xs: readonly Timed<T>[]): Reading<T>[] => xs.map((x) => ({ at: (x.start + x.end) / 2 - t0, node: x.node, view: x.view }));
    const api: ApiReading[] = this.answers.map((a) => ({ at: a.at - t0, hostname: a.hostname }));
    const marks: Partial<Record<MilestoneId, number>> = {};
    for (const [id, t] of Object.entries(this.marks) as [MilestoneId, number][]) marks[id] = t - t0;
    return { cluster: rel(this.cluster), node: rel(this.nodes), api, marks };
  }

  /**
   * Until every milestone was seen, the goal was seen `graceMs` ago (a milestone still missing then will not
   * come: e.g. a reading dropped), or `timeoutMs` passed. Returns the milestones never seen.
   */
  async until(ms: readonly Milestone[], timeoutMs: number, graceMs = 10_000): Promise<MilestoneId[]> {
    const deadline = performance.now() + timeoutMs;
    const goal = ms[ms.length - 1]?.id;
    let goalSeenAt: number | undefined;
    for (;;) {
      const left = unreached(ms, this.observations());
      if (left.length === 0) return left;
      if (goal !== undefined && !left.includes(goal)) goalSeenAt ??= performance.now();
      const now = performance.now();
      if (now > deadline || (goalSeenAt !== undefined && now - goalSeenAt > graceMs)) return left;
      await sleep(250);
    }
  }

  resolution(): Resolution {
    const perNode = (xs: readonly Timed<unknown>[]): number[] =>
      [...new Set(xs.map((x) => x.node))].flatMap((n) => gaps(xs.filter((x) => x.node === n).map((x) => (x.start + x.end) / 2)));
    return { cluster: median(perNode(this.cluster)), node: median(perNode(this.nodes)), api: median(gaps(this.sent)) };
  }

  /** Ends every loop (each finishes the read it is in) and the API requests still out. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
  }

  private start<T>(conn: Connection, node: string, command: string, parse: (r: ExecResult) => T | undefined, into: Timed<T>[]): void {
    const i = this.counts.push(0) - 1;
    this.loops.push(this.readLoop(i, conn, node, command, parse, into));
  }

  private async readLoop<T>(i: number, conn: Connection, node: string, command: string, parse: (r: ExecResult) => T | undefined, into: Timed<T>[]): Promise<void> {
    while (!this.stopped) {
      const start = performance.now();
      const view = await conn.exec(command).then(parse, () => undefined);
      const end = performance.now();
      if (view !== undefined) {
        into.push({ start, end, node, view });
        this.counts[i]!++;
      }
      // One reading per interval: a read that took longer is followed at once; an error waits a little.
      await sleep(view === undefined ? ERROR_PAUSE_MS : Math.max(0, this.everyMs - (end - start)));
    }
  }

  private async apiLoop(i: number): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (!this.stopped) {
      if (inFlight.size < MAX_IN_FLIGHT) {
        const sent = performance.now();
        this.sent.push(sent);
        // Requests overlap: one that waits on a floating IP nobody holds yet does not hold back the next.
        const req: Promise<void> = apiOnVip(API_TIMEOUT_MS).then((hostname) => {
          if (hostname) {
            this.answers.push({ at: performance.now(), hostname });
            this.counts[i]!++;
          }
          inFlight.delete(req);
        });
        inFlight.add(req);
      }
      await sleep(this.everyMs);
    }
    await Promise.allSettled([...inFlight]);
  }
}
