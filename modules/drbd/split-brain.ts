// drbd_split_brain: what this node can tell about a split brain of the resource, changing nothing: its role,
// disk and connection to the peer and, only when that connection is StandAlone (DRBD will not reconnect by
// itself), the kernel log's latest word on the resource and its data generations. The verdict needs both
// nodes' answers (split-brain-verdict.ts), so a task registers this on each and another judges the pair.
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { parseGenerations } from './generations';
import { KERNEL_LOG_READ, lastSplitBrainEvent, minorOf } from './kernel-log';
import { checkResourceName } from './resource-name';
import type { SplitBrainFacts } from './split-brain-verdict';
import { drbdadm, peerConnection, readDrbdStatus, type DrbdStatus } from './status';

export interface DrbdSplitBrainParams {
  readonly resource: string;
  /** The resource's device (/dev/drbdN): DRBD 8.4 names only its minor in the split-brain line. */
  readonly device?: string;
  /** A DRBD config file other than /etc/drbd.conf (`drbdadm -c FILE`). */
  readonly config?: string;
}

export interface DrbdSplitBrainResult extends ModuleResult, SplitBrainFacts {}

function describe(resource: string, s: DrbdStatus, connection: string): string {
  const peer = s.peers[0];
  // DRBD 8.4's text form calls every peer "peer": no name worth repeating.
  const name = peer && peer.name !== 'peer' ? ` ${peer.name}` : '';
  const seen = peer && connection === 'Connected' ? ` (${peer.role}, ${peer.diskState}, ${peer.replication}${peer.done !== undefined ? ` ${peer.done}%` : ''})` : '';
  return `${resource} ${s.role}, disk ${s.diskState}, peer${name} ${connection}${seen}`;
}

export const drbdSplitBrain = defineModule<DrbdSplitBrainParams, DrbdSplitBrainResult>({
  name: 'drbd_split_brain',
  checkMode: true,
  describe: (p) => `drbd split brain ${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_split_brain'),
  async run(p, ctx) {
    const s = await readDrbdStatus(ctx, p.resource);
    if (!s) return { changed: false, msg: `${p.resource} is down`, up: false };
    const connection = peerConnection(s);
    const facts = { up: true, role: s.role, disk: s.diskState, connection };
    const msg = describe(p.resource, s, connection);
    if (connection !== 'StandAlone') return { changed: false, msg, ...facts };
    const log = await probe(ctx, KERNEL_LOG_READ);
    const kernelLog = lastSplitBrainEvent(log.stdout, p.resource, p.device === undefined ? undefined : minorOf(p.device));
    const gi = await probe(ctx, sh`${drbdadm(p.config)} get-gi ${p.resource}`);
    const generations = gi.code === 0 ? parseGenerations(gi.stdout) : undefined;
    const said = kernelLog ? `; kernel log: ${kernelLog.kind}` : '; kernel log: nothing on a split brain';
    const now = generations ? `; data generation ${generations.current}` : '';
    return { changed: false, msg: msg + said + now, ...facts, ...(kernelLog ? { kernelLog } : {}), ...(generations ? { generations } : {}) };
  },
});
