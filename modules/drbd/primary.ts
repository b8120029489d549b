// drbd_primary: make this node Primary. `--force` (the how-to's initial sync) is guarded: it is used only
// when this disk and every peer's disk are Inconsistent, i.e. there is no up-to-date data anywhere to lose.
import { ModuleError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { checkResourceName } from './resource-name';
import { must } from '../lib/exec';
import { drbdadm, readDrbdStatus, type DrbdStatus } from './status';

export interface DrbdPrimaryParams {
  readonly resource: string;
  /** A DRBD config file other than /etc/drbd.conf (`drbdadm -c FILE`). */
  readonly config?: string;
  /** Allow `--force` for the initial sync of a new resource (never over up-to-date data). */
  readonly initialSync?: boolean;
  /**
   * For the initial sync: how long to wait for the peers to connect first (default 60 s). A peer brought up
   * a moment ago is still Connecting; deciding on that would refuse a sync that is safe.
   */
  readonly connectTimeoutSeconds?: number;
}

export interface DrbdPrimaryResult extends ModuleResult {
  readonly status: DrbdStatus;
  readonly forced: boolean;
}

function describePeers(s: DrbdStatus): string {
  return s.peers.map((p) => `${p.name} ${p.connection}/${p.diskState}`).join(', ') || 'no peers';
}

const notConnected = (s: DrbdStatus): boolean => s.peers.length === 0 || s.peers.some((x) => x.connection !== 'Connected');
/** States from which DRBD keeps trying to connect by itself (8.4 and 9 spellings). */
const CONNECTING = new Set(['Connecting', 'WFConnection', 'WFReportParams', 'Unconnected', 'NetworkFailure', 'BrokenPipe', 'Timeout', 'ProtocolError']);

/** The status once every peer is Connected, or the last one read when the time is up or a peer will not connect by itself. */
async function awaitPeers(read: () => Promise<DrbdStatus | undefined>, first: DrbdStatus, seconds: number): Promise<DrbdStatus> {
  let s = first;
  const until = Date.now() + seconds * 1000;
  while (notConnected(s) && s.peers.every((x) => x.connection === 'Connected' || CONNECTING.has(x.connection)) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    s = (await read()) ?? s;
  }
  return s;
}

export const drbdPrimary = defineModule<DrbdPrimaryParams, DrbdPrimaryResult>({
  name: 'drbd_primary',
  checkMode: true,
  describe: (p) => `drbdadm primary ${p.initialSync ? '--force ' : ''}${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_primary'),
  async run(p, ctx) {
    let s = await readDrbdStatus(ctx, p.resource);
    if (!s) throw new ModuleError(`DRBD resource ${p.resource} is not up on ${ctx.host}: bring it up first (drbd_up)`);
    if (p.initialSync && !ctx.check && s.role !== 'Primary' && s.diskState === 'Inconsistent')
      s = await awaitPeers(() => readDrbdStatus(ctx, p.resource), s, p.connectTimeoutSeconds ?? 60);
    if (s.role === 'Primary') return { changed: false, msg: `${p.resource} is Primary`, status: s, forced: false };
    const upToDatePeer = s.peers.find((x) => x.diskState === 'UpToDate');
    let force = false;
    if (s.diskState !== 'UpToDate') {
      if (!p.initialSync) {
        throw new ModuleError(
          `${p.resource} on ${ctx.host} has disk ${s.diskState} (peers: ${describePeers(s)}); becoming Primary needs up-to-date data. ` +
            'For the initial sync of a new resource set initialSync: true',
        );
      }
      const allInconsistent = s.diskState === 'Inconsistent' && s.peers.length > 0 && s.peers.every((x) => x.connection === 'Connected' && x.diskState === 'Inconsistent');
      if (upToDatePeer || !allInconsistent) {
        throw new ModuleError(
          `refusing \`drbdadm primary --force ${p.resource}\` on ${ctx.host}: it is only for the initial sync, when this disk and every ` +
            `connected peer's are Inconsistent; here disk ${s.diskState}, peers: ${describePeers(s)}` +
            (upToDatePeer ? ` (${upToDatePeer.name} has UpToDate data that --force would overwrite)` : ''),
        );
      }
      force = true;
    }
    const cmd = force ? sh`${drbdadm(p.config)} primary --force ${p.resource}` : sh`${drbdadm(p.config)} primary ${p.resource}`;
    const what = force ? `force ${p.resource} Primary for the initial sync` : `make ${p.resource} Primary`;
    if (ctx.check) return { changed: true, msg: `would ${what}`, status: s, forced: force };
    await must(ctx, cmd);
    return { changed: true, msg: what, status: (await readDrbdStatus(ctx, p.resource)) ?? s, forced: force };
  },
});
