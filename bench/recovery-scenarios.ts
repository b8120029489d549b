// One round of each kind: a standby fail-over and its fail-back; a power cut of the active node while the
// record writer runs, then the cut node booted again until it has resynced and taken its resources back. Each
// scenario reads the node(s) taking over from before its event until the API answers from the right node.
import type { Connection } from '../engine/types';
import { sh } from '../engine/shell';
import { missingRecords, startWriter, type RecordWriter } from '../lab/record-writer';
import { waitFor } from '../lab/proc';
import { progress } from './child';
import type { RecoveryLab } from './recovery-lab';
import { DATA_MOUNT } from './recovery-probe';
import type { RecordsCheck, ScenarioRun } from './recovery-report';
import { Recorder } from './recovery-sampler';
import { milestones, timeline, type Move, type Scenario } from './recovery-timeline';
import { seconds } from './stats';

/** A take-over on UML hosts is well under a minute; a reboot, resync and move back a few. */
const TAKEOVER_MS = 5 * 60_000;
const RESTART_MS = 10 * 60_000;
/** The writer must be writing before the cut: this many records acknowledged (the spec waits for as many). */
const MIN_ACKED = 50;

export interface RoundOptions {
  readonly round: number;
  /** Reading interval of every probe (ms). */
  readonly everyMs: number;
}

/** Writers still running, for a signal handler: their ssh must not outlive the benchmark. */
const writers = new Set<RecordWriter>();
export function stopWriters(): void {
  for (const w of writers) w.proc.kill('SIGKILL');
  writers.clear();
}

async function must(conn: Connection, command: string): Promise<string> {
  const r = await conn.exec(command);
  if (r.code !== 0) throw new Error(`${conn.host}: ${command} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
  return r.stdout;
}

type Act = (rec: Recorder, open: (node: string) => Connection) => Promise<void>;

/**
 * Read `readOn` (pacemaker's view and the node's state, each on its own connection) and the API, run `act` at
 * the event, and keep reading until every milestone of the scenario was seen or `timeoutMs` passed.
 */
async function observe(l: RecoveryLab, o: RoundOptions, scenario: Scenario, move: Move, event: string, readOn: readonly string[], act: Act, timeoutMs: number): Promise<ScenarioRun> {
  const ms = milestones(scenario, move);
  const rec = new Recorder(o.everyMs);
  const conns: Connection[] = [];
  const open = (node: string): Connection => {
    const c = l.lab.connect(node);
    conns.push(c);
    return c;
  };
  try {
    for (const node of readOn) {
      rec.readCluster(open(node), node);
      rec.readNode(open(node), node);
    }
    rec.pollApi();
    await rec.ready(60_000);
    progress(`round ${o.round}, ${scenario}: ${event}`);
    rec.event();
    await act(rec, open);
    const left = await rec.until(ms, timeoutMs);
    const reached = timeline(ms, rec.observations());
    progress(`  ${reached.map((r) => `${r.id} ${r.at !== undefined ? seconds(r.at) : 'not seen'}`).join(', ')}`);
    if (left.length) progress(`  not seen: ${left.join(', ')}`);
    return { scenario, round: o.round, move, event, reached, resolution: rec.resolution() };
  } finally {
    await rec.stop();
    await Promise.allSettled(conns.map((c) => c.close()));
  }
}

/** `pcs node standby` on the preferred node, then `pcs node unstandby`: over to the other node and back. */
export async function standbyRound(l: RecoveryLab, o: RoundOptions): Promise<ScenarioRun[]> {
  const p = l.preferred.name;
  const q = l.other.name;
  const control = l.lab.connect(p);
  try {
    await must(control, 'true'); // the SSH session is up before the event, not part of it
    const standby = sh`pcs node standby ${p}`;
    const away = await observe(l, o, 'standby', { from: p, to: q }, `\`${standby}\` on ${p}`, [q], () => must(control, standby).then(() => undefined), TAKEOVER_MS);
    const unstandby = sh`pcs node unstandby ${p}`;
    const back = await observe(l, o, 'unstandby', { from: q, to: p }, `\`${unstandby}\` on ${p}`, [p], () => must(control, unstandby).then(() => undefined), TAKEOVER_MS);
    return [away, back];
  } finally {
    await control.close();
  }
}

/** The records check on `node`; undefined (said on stderr) when its copy cannot be read, e.g. it never mounted the data. */
async function recordsOn(l: RecoveryLab, node: string, file: string, acked: number): Promise<RecordsCheck | undefined> {
  const conn = l.lab.connect(node);
  try {
    const check = { acked, missing: missingRecords(acked, await must(conn, sh`cat ${file}`)).length, on: node };
    progress(`  ${check.missing} of ${acked} acknowledged records missing on ${node}`);
    return check;
  } catch (e) {
    progress(`  records not checked on ${node}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  } finally {
    await conn.close();
  }
}

/**
 * The record writer on the preferred node, its kernel killed: the take-over by the other node and the records
 * it holds; then the cut node booted again: its resync and the fail-back, and the records it holds then.
 */
export async function powerCutRound(l: RecoveryLab, o: RoundOptions): Promise<ScenarioRun[]> {
  const p = l.preferred;
  const q = l.other.name;
  // A file per round: record numbers restart at 1, and an earlier round's records must not hide a loss.
  const file = `${DATA_MOUNT}/recovery-records-${o.round}`;
  const writer = startWriter(p.ip, file);
  writers.add(writer);
  try {
    if (!(await waitFor(() => writer.acked() >= MIN_ACKED, 60_000))) throw new Error(`the record writer on ${p.name} acknowledged ${writer.acked()} records in 60 s (wanted ${MIN_ACKED})`);
    let acked = 0;
    const cut = await observe(l, o, 'power cut', { from: p.name, to: q }, `\`npm run lab -- crash ${p.name}\` (its UML kernel killed) with the record writer running`, [q], async () => {
      await l.lab.crash(p.name);
      acked = writer.acked(); // nothing is acknowledged once the kernel is gone
      writer.proc.kill('SIGKILL');
    }, TAKEOVER_MS);
    const onSurvivor = await recordsOn(l, q, file, acked);
    const back = await observe(l, o, 'restart', { from: q, to: p.name }, `\`npm run lab -- start ${p.name}\` (boots on the disk it had)`, [q], async (rec, open) => {
      await l.lab.restart(p.name);
      rec.mark('booted');
      // Only now can the returning node be read: its own DRBD role, mount and unit (pacemaker's view stays the
      // survivor's: a node just booted shows a CIB with nothing running before it joins).
      rec.readNode(open(p.name), p.name);
    }, RESTART_MS);
    const onPreferred = await recordsOn(l, p.name, file, acked);
    await cleanUp(l, file);
    return [{ ...cut, ...(onSurvivor ? { records: onSurvivor } : {}) }, { ...back, ...(onPreferred ? { records: onPreferred } : {}) }];
  } finally {
    writer.proc.kill('SIGKILL');
    writers.delete(writer);
  }
}

/** The round's records file, from whichever node holds the data now (it is small; 640 MiB is not much). */
async function cleanUp(l: RecoveryLab, file: string): Promise<void> {
  for (const h of [l.preferred, l.other]) {
    const conn = l.lab.connect(h.name);
    try {
      await conn.exec(sh`mountpoint -q ${DATA_MOUNT} && rm -f ${file}`);
    } finally {
      await conn.close();
    }
  }
}
