// drbd_primary: make this node Primary. `--force` (the how-to's initial sync) is guarded: it is used only
// when this disk and every peer's disk are Inconsistent, i.e. there is no up-to-date data anywhere to lose.
// A plain promotion needs the peer connected: a node that cannot see its peer (StandAlone after a split brain,
// or partitioned) cannot know whether the peer is Primary with newer data, and two Primaries writing apart
// are a split brain. While they are apart, promoting is the cluster manager's call, never this module's.
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
   * How long to wait for the peers to connect first (default 60 s). A peer brought up a moment ago is still
   * Connecting; deciding on that would refuse a promotion or an initial sync that is safe.
   */
  readonly connectTimeoutSeconds?: number;
}

export interface DrbdPrimaryResult extends ModuleResult {
  readonly status: DrbdStatus;
  readonly forced: boolean;
  /** A connected peer that is Primary already: nothing was promoted here (one Primary, where the cluster put it). */
  readonly peerPrimary?: string;
}

function describePeers(s: DrbdStatus): string {
  return s.peers.map((p) => `${p.name} ${p.connection}/${p.diskState}`).join(', ') || 'no peers';
}

const notConnected = (s: DrbdStatus): boolean => s.peers.length === 0 || s.peers.some((x) => x.connection !== 'Connected');
/**
 * Connected, but the peer's disk not reported yet: the handshake is still exchanging states. drbd-utils prints
 * DRBD 8.4's WFReportParams as DRBD 9's `Connected` with no peer-disk (user/v84/drbdsetup.c, drbd_conn_str9); on
 * the lab it lasts a few milliseconds after the peer's `drbdadm up`, and a CI run's initial sync hit it.
 */
const unsettled = (s: DrbdStatus): boolean => notConnected(s) || s.peers.some((x) => x.connection === 'Connected' && x.diskState === 'DUnknown');
/** States from which DRBD keeps trying to connect by itself (8.4 and 9 spellings). */
const CONNECTING = new Set(['Connecting', 'WFConnection', 'WFReportParams', 'Unconnected', 'NetworkFailure', 'BrokenPipe', 'Timeout', 'ProtocolError']);

/**
 * The status once every peer is Connected with its disk state known, or the last one read when the time is up or
 * a peer will not connect by itself.
 */
async function awaitPeers(read: () => Promise<DrbdStatus | undefined>, first: DrbdStatus, seconds: number): Promise<DrbdStatus> {
  let s = first;
  const until = Date.now() + seconds * 1000;
  // No peer listed is DRBD 8.4's StandAlone (status.ts peerConnection): nothing connects by itself, so no wait.
  const mayConnect = (x: DrbdStatus): boolean => x.peers.length > 0 && x.peers.every((p) => p.connection === 'Connected' || CONNECTING.has(p.connection));
  while (unsettled(s) && mayConnect(s) && Date.now() < until) {
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
    // A peer brought up a moment ago is still connecting: decide once it has (or the time is up).
    if (!ctx.check && s.role !== 'Primary' && (s.diskState === 'UpToDate' || (p.initialSync && s.diskState === 'Inconsistent')))
      s = await awaitPeers(() => readDrbdStatus(ctx, p.resource), s, p.connectTimeoutSeconds ?? 60);
    if (s.role === 'Primary') return { changed: false, msg: `${p.resource} is Primary`, status: s, forced: false };
    // The peer serves the data (the cluster moved it there after a fail-over): one Primary is the rule and where it
    // runs is the cluster manager's call, so this is no initial sync and nothing to promote (DRBD would refuse).
    const primaryPeer = s.peers.find((x) => x.connection === 'Connected' && x.role === 'Primary');
    if (primaryPeer) {
      return { changed: false, msg: `${primaryPeer.name} is Primary (where the cluster runs the data): nothing to promote on ${ctx.host}`, status: s, forced: false, peerPrimary: primaryPeer.name };
    }
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
    } else if (notConnected(s)) {
      throw new ModuleError(
        `refusing \`drbdadm primary ${p.resource}\` on ${ctx.host}: its peer is not connected (peers: ${describePeers(s)}), so this node cannot ` +
          'know whether the peer is Primary or holds newer data, and two Primaries writing apart are a split brain. ' +
          'Reconnect the nodes first (playbooks/status.ts says whether they are in split brain)',
      );
    }
    const cmd = force ? sh`${drbdadm(p.config)} primary --force ${p.resource}` : sh`${drbdadm(p.config)} primary ${p.resource}`;
    const what = force ? `force ${p.resource} Primary for the initial sync` : `make ${p.resource} Primary`;
    if (ctx.check) return { changed: true, msg: `would ${what}`, status: s, forced: force };
    await must(ctx, cmd);
    return { changed: true, msg: what, status: (await readDrbdStatus(ctx, p.resource)) ?? s, forced: force };
  },
});
