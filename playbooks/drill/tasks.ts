// playbooks/drill/ owns the fail-over drill failover.ts runs around each move: tasks.ts (its tasks, which
// failover.ts places in its sequence), vars.ts (the variables it reads), report.ts (its one-line report).
// The drill writes a probe record through the active node before the fail-over, watches the vProtect API on
// the floating IP from the controller while each move runs, checks the record on the node that took over, and
// reports how long the API was unavailable and where the record was found intact. Tagged 'drill' besides its
// move's tag: `--skip-tags drill` fails over and back without it.
import type { HostView, TaskNode, Vars } from '../../engine/dsl';
import { task } from '../../engine/dsl';
import { debug } from '../../modules/debug';
import { apiWatchEnd, apiWatchStart, endpointOf, watchedUrl, type ApiOutageResult, type ApiWatchStartResult } from '../../modules/api_watch';
import { probeRecordCheck, probeRecordWrite, type ProbeRecord, type ProbeRecordCheckResult, type ProbeRecordWriteResult } from '../../modules/probe_record';
import { rootLogin } from '../../roles/shared/db-vars';
import { drillApiUrl, drillVarsOf, type DrillVars } from './vars';
import { drillReport, type MoveLabel, type MoveOutcome } from './report';

type H = HostView;
/** A move, named as its tag. */
export type Move = 'failover' | 'failback';
/** Where a task runs: a node the caller picks from the cluster's state. */
type Node = (h: H) => string;

/** The drill's table in the vProtect database (replicated with it). */
export const DRILL_TABLE = 'ha_drill_probe';
const MOVES: readonly Move[] = ['failover', 'failback'];
const LABEL: Readonly<Record<Move, MoveLabel>> = { failover: 'fail-over', failback: 'fail-back' };
const once = { runOnce: true } as const;
const tags = (m: Move): string[] => [m, 'drill'];
const HINT = 'Nothing was moved. Set drill_api_url to where the controller reaches the API, or leave the drill out: --skip-tags drill';

// What the drill's tasks register, and read back.
const WRITTEN = 'drill_probe';
const NEWEST = 'drill_newest_probe';
const watchOf = (m: Move): string => `drill_watch_${m}`;
const outageOf = (m: Move): string => `drill_outage_${m}`;
const checkOf = (m: Move): string => `drill_check_${m}`;

const tableOf = (v: DrillVars) => ({ database: v.mariadb_database, table: DRILL_TABLE, login: rootLogin(v.mariadb_root_password) });
/** The record the checks expect: the one this run wrote, else the newest one found before the fail-back. */
const expected = (h: H): ProbeRecord | undefined => h.registered<ProbeRecordWriteResult>(WRITTEN)?.record ?? h.registered<ProbeRecordCheckResult>(NEWEST)?.record;

/** Before the fail-over, through `on` (the active node); the file only when `dataFs` (the cluster moves a data filesystem). */
export const writeProbe = (on: Node, dataFs: (h: H) => boolean): TaskNode<Vars> =>
  task<Vars, ProbeRecordWriteResult>({
    name: 'Drill: write a probe record through the active node',
    ...once,
    tags: tags('failover'),
    delegateTo: on,
    action: (h) => {
      const v = drillVarsOf(h);
      return probeRecordWrite({ ...tableOf(v), ...(v.drbd_enabled && dataFs(h) ? { dataMount: v.data_mount } : {}) });
    },
    register: WRITTEN,
  });

/** Before the fail-back when this run wrote no record: the newest one, checked on `on` (the active node). */
export const readNewestProbe = (on: Node, when: (h: H) => boolean): TaskNode<Vars> =>
  task<Vars, ProbeRecordCheckResult>({
    name: 'Drill: the newest probe record on the active node',
    ...once,
    tags: tags('failback'),
    when: (h) => !h.checkMode && !h.registered<ProbeRecordWriteResult>(WRITTEN)?.record && when(h),
    delegateTo: on,
    action: (h) => probeRecordCheck({ ...tableOf(drillVarsOf(h)), record: 'newest' }),
    register: NEWEST,
  });

/**
 * Right before the move: the watch starts once the API answers. An API that does not answer stops the fail-over
 * before anything moves; it does not stop a fail-back (which may be how the services come back): that one is
 * then not measured.
 */
export const watchApi = (m: Move, when: (h: H) => boolean = () => true): TaskNode<Vars> =>
  task<Vars, ApiWatchStartResult>({
    name: `Drill: watch the vProtect API on the floating IP from the controller (${LABEL[m]})`,
    ...once,
    tags: tags(m),
    when,
    action: (h) => {
      const v = drillVarsOf(h);
      const unanswered = m === 'failover' ? 'fail' : 'skip';
      return apiWatchStart({ url: drillApiUrl(v), during: `the ${LABEL[m]}`, capSeconds: v.drill_api_wait_seconds + 1800, hint: HINT, unanswered });
    },
    register: watchOf(m),
  });

/** After the move: the API answers on the floating IP again; the watch ends with its longest outage. */
export const endWatch = (m: Move): TaskNode<Vars> =>
  task<Vars, ApiOutageResult>({
    name: `Drill: wait until the API answers on the floating IP, end the watch (${LABEL[m]})`,
    ...once,
    tags: tags(m),
    when: (h) => h.registered<ApiWatchStartResult>(watchOf(m))?.watchId !== undefined,
    action: (h) => {
      const w = h.registered<ApiWatchStartResult>(watchOf(m))!;
      return apiWatchEnd({ watchId: w.watchId!, endpoint: w.endpoint, during: `the ${LABEL[m]}`, waitSeconds: drillVarsOf(h).drill_api_wait_seconds });
    },
    register: outageOf(m),
  });

/** After the move: the record is intact on `on` (the node now active); fails naming the host and the record. */
export const checkProbe = (m: Move, name: string, on: Node): TaskNode<Vars> =>
  task<Vars, ProbeRecordCheckResult>({
    name,
    ...once,
    tags: tags(m),
    when: (h) => !h.checkMode && expected(h) !== undefined,
    delegateTo: on,
    action: (h) => {
      const v = drillVarsOf(h);
      return probeRecordCheck({ ...tableOf(v), record: expected(h)!, waitSeconds: v.drill_replication_wait_seconds });
    },
    register: checkOf(m),
  });

/** The moves this run made, from what the drill registered. */
function outcome(h: H): { moves: MoveOutcome[]; record?: ProbeRecord } {
  const moves = MOVES.flatMap((m): MoveOutcome[] => {
    if (!h.registered(watchOf(m))) return [];
    const outage = h.registered<ApiOutageResult>(outageOf(m));
    const check = h.registered<ProbeRecordCheckResult>(checkOf(m));
    return [{ label: LABEL[m], ...(outage ? { unavailableMs: outage.longestMs } : {}), ...(check?.record ? { checkedOn: check.host } : {}) }];
  });
  const record = MOVES.map((m) => h.registered<ProbeRecordCheckResult>(checkOf(m))?.record).find((r) => r !== undefined);
  return { moves, ...(record ? { record } : {}) };
}

/** Last: one message, e.g. "drill: API on 10.40.1.100:8080 unavailable 4.2 s during fail-over, ...". */
export const drillReportTask = (): TaskNode<Vars> =>
  task({
    name: 'Drill report',
    ...once,
    tags: ['failover', 'failback', 'drill'],
    action: (h) => {
      const endpoint = endpointOf(watchedUrl(drillApiUrl(drillVarsOf(h)), 'drill_api_url'));
      if (h.checkMode) return debug({ msg: `drill (check mode): would watch the API on ${endpoint} during each move and check a probe record after it; nothing measured` });
      const { moves, record } = outcome(h);
      return debug({ msg: drillReport({ endpoint, moves, ...(record ? { record: { rowId: record.rowId, file: record.file !== undefined } } : {}) }) });
    },
  });
