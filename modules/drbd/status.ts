// DRBD resource state as typed facts, from `drbdsetup status RES --json` (DRBD 9) or its text form
// (DRBD 8.4 with drbd-utils 9, as in the how-to).
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { probe } from '../lib/exec';

export interface DrbdPeer {
  readonly name: string;
  /** Connected, Connecting, StandAlone...; "Connected" when the text form shows a role. */
  readonly connection: string;
  readonly role: string;
  /** UpToDate, Inconsistent, DUnknown... */
  readonly diskState: string;
  /** Established, SyncSource, SyncTarget, Off... */
  readonly replication: string;
  /** Sync progress in percent when syncing. */
  readonly done?: number;
}

export interface DrbdStatus {
  readonly resource: string;
  /** Primary, Secondary, Unknown. */
  readonly role: string;
  /** The local disk of the first volume: UpToDate, Inconsistent, Diskless... */
  readonly diskState: string;
  readonly peers: readonly DrbdPeer[];
}

interface JsonPeerDevice {
  'replication-state'?: string;
  'peer-disk-state'?: string;
  'percent-in-sync'?: number;
}
interface JsonResource {
  name?: string;
  role?: string;
  devices?: { 'disk-state'?: string }[];
  connections?: { name?: string; 'connection-state'?: string; 'peer-role'?: string; peer_devices?: JsonPeerDevice[] }[];
}

export function parseStatusJson(text: string, resource: string): DrbdStatus | undefined {
  const all = JSON.parse(text) as JsonResource[];
  const r = all.find((x) => x.name === resource);
  if (!r) return undefined;
  return {
    resource,
    role: r.role ?? 'Unknown',
    diskState: r.devices?.[0]?.['disk-state'] ?? 'Unknown',
    peers: (r.connections ?? []).map((c) => {
      const pd = c.peer_devices?.[0];
      const pct = pd?.['percent-in-sync'];
      return {
        name: c.name ?? 'peer',
        connection: c['connection-state'] ?? 'Unknown',
        role: c['peer-role'] ?? 'Unknown',
        diskState: pd?.['peer-disk-state'] ?? 'DUnknown',
        replication: pd?.['replication-state'] ?? 'Off',
        ...(pct !== undefined && pct < 100 ? { done: pct } : {}),
      };
    }),
  };
}

/**
 * The text form: "RES role:Primary" / "disk:UpToDate" / "PEER role:Secondary" or "PEER connection:Connecting"
 * / "replication:SyncSource peer-disk:Inconsistent done:0.22". Indentation is not relied upon.
 */
export function parseStatusText(text: string, resource: string): DrbdStatus | undefined {
  let found = false;
  let role = 'Unknown';
  let disk = 'Unknown';
  const peers: { name: string; connection: string; role: string; diskState: string; replication: string; done?: number }[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    const kv = new Map(words.filter((w) => w.includes(':')).map((w) => [w.slice(0, w.indexOf(':')), w.slice(w.indexOf(':') + 1)] as const));
    const head = words[0]!.includes(':') ? undefined : words[0]!;
    if (head !== undefined && !found) {
      if (head !== resource) continue;
      found = true;
      role = kv.get('role') ?? role;
      continue;
    }
    if (!found) continue;
    if (head !== undefined && head !== resource) {
      if (/^[A-Za-z0-9_.-]+$/.test(head) && (kv.has('role') || kv.has('connection'))) {
        peers.push({ name: head, connection: kv.get('connection') ?? 'Connected', role: kv.get('role') ?? 'Unknown', diskState: 'DUnknown', replication: 'Off' });
        continue;
      }
      break; // the next resource
    }
    if (kv.has('disk') && disk === 'Unknown') disk = kv.get('disk')!;
    const peer = peers[peers.length - 1];
    if (peer && (kv.has('replication') || kv.has('peer-disk'))) {
      peer.replication = kv.get('replication') ?? peer.replication;
      peer.diskState = kv.get('peer-disk') ?? peer.diskState;
      const done = kv.get('done');
      if (done !== undefined) peer.done = Number(done);
    }
  }
  return found ? { resource, role, diskState: disk, peers } : undefined;
}

/**
 * The connection to the (one) peer. DRBD 9 lists a StandAlone peer as `connection:StandAlone`; DRBD 8.4 drops
 * a StandAlone connection's network settings and its status then lists no peer at all (the kernel lists only
 * connections that have them), so no peer reads as StandAlone: DRBD will not connect by itself either way.
 */
export function peerConnection(s: DrbdStatus): string {
  if (s.peers.length === 0) return 'StandAlone';
  return s.peers.find((p) => p.connection !== 'Connected')?.connection ?? 'Connected';
}

/** The drbdadm words, with `-c FILE` for a config other than /etc/drbd.conf. */
export function drbdadm(config: string | undefined): string[] {
  return config ? ['drbdadm', '-c', config] : ['drbdadm'];
}

/** The resource's status, or undefined when it is not up (not configured in the kernel). */
export async function readDrbdStatus(ctx: ModuleContext, resource: string): Promise<DrbdStatus | undefined> {
  const json = await probe(ctx, sh`drbdsetup status ${resource} --json`);
  if (json.code === 0 && json.stdout.trim().startsWith('[')) {
    try {
      return parseStatusJson(json.stdout, resource);
    } catch {
      /* fall back to the text form */
    }
  }
  const text = await probe(ctx, sh`drbdsetup status ${resource}`);
  if (text.code === 0) return parseStatusText(text.stdout, resource);
  const why = `${text.stderr}${text.stdout}`;
  // "r0: No such resource" (DRBD 9) / "No such resource" / "Unknown resource" / module not loaded: down.
  if (/No such resource|Unknown resource|not defined|No currently configured/i.test(why)) return undefined;
  if (/Failed to modprobe drbd|Module drbd not loaded|Could not connect to 'drbd' generic netlink/i.test(why)) {
    throw new ModuleError(`the drbd kernel module is not available on ${ctx.host} (${why.trim().split('\n').pop()}): install the DRBD kernel module package (e.g. kmod-drbd84 or kmod-drbd9x)`, text);
  }
  if (text.code === 127) throw new ModuleError(`drbdsetup is not installed on ${ctx.host}; install drbd-utils`);
  throw new ModuleError(`\`drbdsetup status ${resource}\` exited ${text.code} on ${ctx.host}: ${why.trim()}`, text);
}
