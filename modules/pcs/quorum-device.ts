// pcs_quorum_device: the cluster's arbiter, a corosync quorum device (model net: corosync-qdevice on the nodes,
// corosync-qnetd on a third machine). A two-node cluster cannot tell a dead peer from a cut link; with the
// arbiter's vote only one half of a partition keeps quorum. Compared with corosync.conf's quorum.device first:
// added (`pcs quorum device add`: pcs fetches the certificates through the arbiter's pcsd, so the nodes must be
// authenticated to it), updated in place, or replaced when it points at another arbiter. Run it once.
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { readCorosyncConf, type QuorumDevice } from './corosync-conf';
import { pcsDialect } from './dialect';
import { applyPlan, pcsCommand, type PcsResult } from './run';

export type QdeviceAlgorithm = 'ffsplit' | 'lms';

export interface QdeviceHeuristics {
  /** sync: run at start-up and membership changes (what a tie needs); on: also every interval. */
  readonly mode: 'sync' | 'on';
  /** exec_NAME -> command; all must exit 0 for the node's heuristics to pass. */
  readonly exec: Readonly<Record<string, string>>;
}

export interface PcsQuorumDeviceParams {
  /** The inventory name of the arbiter, for messages. */
  readonly arbiter: string;
  /** The address corosync-qdevice reaches corosync-qnetd at. */
  readonly host: string;
  readonly algorithm: QdeviceAlgorithm;
  readonly heuristics?: QdeviceHeuristics;
  /** Seconds to wait for this node's corosync-qdevice to connect after a change (default 60). */
  readonly waitSeconds?: number;
}

export interface PcsQuorumDeviceResult extends PcsResult {
  /** The device corosync.conf had before any change. */
  readonly before?: QuorumDevice;
}

const CONNECTED = /^State:\s+Connected\s*$/m;

function heuristicsWords(h: QdeviceHeuristics | undefined, have?: QuorumDevice): string[] {
  const wanted = h?.exec ?? {};
  // An exec the device has and the role no longer wants is removed by setting it empty (pcs's update syntax).
  const dropped = Object.keys(have?.heuristicsExec ?? {}).filter((k) => !(k in wanted)).map((k) => `exec_${k}=`);
  return ['heuristics', `mode=${h?.mode ?? 'off'}`, ...Object.entries(wanted).map(([k, v]) => `exec_${k}=${v}`), ...dropped];
}

function sameHeuristics(h: QdeviceHeuristics | undefined, have: QuorumDevice): boolean {
  const want = h?.exec ?? {};
  const keys = new Set([...Object.keys(want), ...Object.keys(have.heuristicsExec)]);
  return (h?.mode ?? 'off') === have.heuristicsMode && [...keys].every((k) => want[k] === have.heuristicsExec[k]);
}

/** What corosync.conf says, in the words a user reads in a diff. */
export function describeDevice(d: QuorumDevice): string {
  const execs = Object.entries(d.heuristicsExec).map(([k, v]) => `exec_${k}=${v}`);
  return `model ${d.model} host=${d.host ?? '?'} algorithm=${d.algorithm ?? '?'} heuristics mode=${d.heuristicsMode}${execs.length ? ` ${execs.join(' ')}` : ''}`;
}

export const pcsQuorumDevice = defineModule<PcsQuorumDeviceParams, PcsQuorumDeviceResult>({
  name: 'pcs_quorum_device',
  checkMode: true,
  describe: (p) => `pcs quorum device model net host=${p.host} algorithm=${p.algorithm}`,
  preflight: (p) => {
    if (!p.host) throw new ConfigError('pcs_quorum_device: no arbiter address given');
    for (const name of Object.keys(p.heuristics?.exec ?? {}))
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ConfigError(`pcs_quorum_device: heuristics exec name "${name}": letters, digits, _ . - only`);
  },
  async run(p, ctx) {
    await pcsDialect(ctx);
    const conf = await readCorosyncConf(ctx.conn, ctx.become);
    if (!conf) {
      // Under --check on fresh nodes the cluster set-up before this only said it would run.
      if (ctx.check) return { changed: true, msg: `would add the quorum device (corosync-qnetd on ${p.arbiter}, ${p.host})`, commands: [] };
      throw new ModuleError(`${ctx.host} has no corosync.conf: the cluster must be set up before its quorum device`);
    }
    const have = conf.quorumDevice;
    const model = ['model', 'net', `host=${p.host}`, `algorithm=${p.algorithm}`];
    let plan: string[] = [];
    let summary = '';
    if (!have) {
      plan = [pcsCommand({}, ['quorum', 'device', 'add', ...model, ...heuristicsWords(p.heuristics)])];
      summary = `add the quorum device (corosync-qnetd on ${p.arbiter}, ${p.host})`;
    } else if (have.model !== 'net' || have.host !== p.host) {
      // Another arbiter: its certificates are not this one's, so pcs sets the device up afresh.
      plan = [pcsCommand({}, ['quorum', 'device', 'remove']), pcsCommand({}, ['quorum', 'device', 'add', ...model, ...heuristicsWords(p.heuristics)])];
      summary = `replace the quorum device (${describeDevice(have)}) with corosync-qnetd on ${p.arbiter} (${p.host})`;
    } else if (have.algorithm !== p.algorithm || !sameHeuristics(p.heuristics, have)) {
      plan = [pcsCommand({}, ['quorum', 'device', 'update', 'model', `algorithm=${p.algorithm}`, ...heuristicsWords(p.heuristics, have)])];
      summary = `update the quorum device (${describeDevice(have)}) to algorithm=${p.algorithm} heuristics mode=${p.heuristics?.mode ?? 'off'}`;
    }
    const r = await applyPlan(ctx, plan, summary, `quorum device: corosync-qnetd on ${p.arbiter} (${p.host})`);
    if (r.changed && !ctx.check) await waitConnected(ctx, p);
    return { ...r, ...(have ? { before: have } : {}) };
  },
});

/** pcs starts corosync-qdevice on every node; a device that never reaches the arbiter protects nothing. */
async function waitConnected(ctx: Parameters<typeof probe>[0], p: PcsQuorumDeviceParams): Promise<void> {
  const deadline = Date.now() + (p.waitSeconds ?? 60) * 1000;
  let last = '';
  for (;;) {
    const r = await probe(ctx, 'corosync-qdevice-tool -s');
    last = (r.stdout + r.stderr).trim();
    if (r.code === 0 && CONNECTED.test(r.stdout)) return;
    if (Date.now() >= deadline) break;
    await new Promise((res) => setTimeout(res, 2000));
  }
  throw new ModuleError(
    `the quorum device was configured but corosync-qdevice on ${ctx.host} did not connect to corosync-qnetd on ${p.arbiter} ` +
      `(${p.host}) within ${p.waitSeconds ?? 60} s: is corosync-qnetd running there and port 5403/tcp open? corosync-qdevice-tool -s said: ${last.split('\n').slice(-6).join(' | ')}`,
  );
}
