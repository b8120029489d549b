// The lab's shared constants: host names, addresses, paths. Import from here rather than
// repeating a name or an IP elsewhere (specs, benchmarks, the demo).
import * as path from 'node:path';

/** The only network the lab uses (RFC 2544 benchmarking range), on a bridge the lab creates. */
export const BRIDGE = 'labbr0';
export const SUBNET_PREFIX = '198.18.0';
export const PREFIX_LEN = 24;
export const BRIDGE_IP = `${SUBNET_PREFIX}.1`;
/** The lab's /24s: the first holds the full hosts, the VIP and light1..150, the second light151.. only. */
export const SUBNET_PREFIXES = [SUBNET_PREFIX, '198.18.1'] as const;
/** The bridge's addresses: the controller's side of each lab subnet. */
export const BRIDGE_CIDRS = SUBNET_PREFIXES.map((prefix) => `${prefix}.1/${PREFIX_LEN}`);
/** Reserved for the cluster's floating IP (the roles' VIP in inventory/lab). */
export const VIP = `${SUBNET_PREFIX}.100`;

/** Full hosts (systemd-nspawn, systemd as PID 1): vprotect1 .11, vprotect2 .12, ... */
export const HOST_PREFIX = 'vprotect';
export const FIRST_HOST_OCTET = 11;
export const DEFAULT_HOSTS = 2;
export const MAX_HOSTS = 20;

/**
 * Light hosts (network namespace + sshd only) for scale benchmarks: light1 .101, light2 .102, ... .250,
 * then light151.. at 198.18.1.101.. (a /24 of light hosts only, on the same bridge).
 */
export const LIGHT_PREFIX = 'light';
export const FIRST_LIGHT_OCTET = 101;
const LIGHT_HOSTS_PER_SUBNET = 150;
export const MAX_LIGHT_HOSTS = LIGHT_HOSTS_PER_SUBNET * SUBNET_PREFIXES.length;

/** Cached build products (rootfs tarball, stand-in apt repository), keyed by the recipe hash. */
export const CACHE_DIR = '/var/cache/vphalab';
/** Runtime state: extracted rootfs, per-host overlays, PIDs, keys. */
export const STATE_DIR = '/var/lib/vphalab';
export const HOSTS_DIR = path.join(STATE_DIR, 'hosts');
export const LIGHT_DIR = path.join(STATE_DIR, 'light');
/** Per-host identity kept across `down`/`up`: SSH host keys and machine-id. */
export const IDENTITY_DIR = path.join(STATE_DIR, 'identity');
export const LAB_KEY = path.join(STATE_DIR, 'id_ed25519');
export const LAB_KEY_PUB = `${LAB_KEY}.pub`;
export const AUTHORIZED_KEYS = path.join(STATE_DIR, 'authorized_keys');
export const KNOWN_HOSTS = path.join(STATE_DIR, 'known_hosts');
export const LOCK_FILE = path.join(STATE_DIR, 'lock');

/** Where the stand-in apt repository appears inside every host. */
export const HOST_APT_DIR = '/srv/lab-apt';
export const APT_SOURCE_LINE = `deb [trusted=yes] file:${HOST_APT_DIR} ./`;

export const REPO_ROOT = path.resolve(__dirname, '..');
export const INVENTORY_FILE = path.join(REPO_ROOT, 'inventory', 'lab', 'hosts.yml');
export const LIGHT_INVENTORY_FILE = path.join(REPO_ROOT, 'inventory', 'lab-light', 'hosts.yml');
export const CLUSTER_GROUP = 'cluster';
export const LIGHT_GROUP = 'light';

/** Stand-in product versions built into the local apt repository; the first is preinstalled. */
export const STANDIN_VERSIONS = ['1.0', '1.1'] as const;
export const STANDIN_PORT = 8080;

/** Set to keep the lab up after a test run (fast reruns while developing). */
export const KEEP_ENV = 'VPHALAB_KEEP';

export interface LabHost {
  readonly name: string;
  readonly ip: string;
}

function checkCount(n: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${what}: expected 1..${max}, got ${n}`);
}

/**
 * The storage tier's arbiter: a systemd-nspawn host beside the two UML nodes, outside the cluster, where the
 * pacemaker role sets up corosync-qnetd (pacemaker_quorum_device). It stays reachable from both nodes when
 * `partition` cuts the link between them, as a third machine on another switch port would.
 */
export const ARBITER: LabHost = { name: 'arbiter', ip: `${SUBNET_PREFIX}.${FIRST_HOST_OCTET - 1}` };
export const QNETD_GROUP = 'qnetd';

/** The i-th full host (1-based). */
export function labHost(i: number): LabHost {
  checkCount(i, MAX_HOSTS, 'host number');
  return { name: `${HOST_PREFIX}${i}`, ip: `${SUBNET_PREFIX}.${FIRST_HOST_OCTET + i - 1}` };
}

export function labHosts(n: number = DEFAULT_HOSTS): LabHost[] {
  checkCount(n, MAX_HOSTS, 'host count');
  return Array.from({ length: n }, (_, i) => labHost(i + 1));
}

/** The i-th light host (1-based). */
export function lightHost(i: number): LabHost {
  checkCount(i, MAX_LIGHT_HOSTS, 'light host number');
  const subnet = SUBNET_PREFIXES[Math.floor((i - 1) / LIGHT_HOSTS_PER_SUBNET)]!;
  return { name: `${LIGHT_PREFIX}${i}`, ip: `${subnet}.${FIRST_LIGHT_OCTET + ((i - 1) % LIGHT_HOSTS_PER_SUBNET)}` };
}

export function lightHosts(n: number): LabHost[] {
  checkCount(n, MAX_LIGHT_HOSTS, 'light host count');
  return Array.from({ length: n }, (_, i) => lightHost(i + 1));
}

/** The full host with this name, or undefined (names are vprotect<N>). */
export function labHostByName(name: string): LabHost | undefined {
  const m = new RegExp(`^${HOST_PREFIX}([1-9][0-9]*)$`).exec(name);
  const i = m ? Number(m[1]) : NaN;
  return i >= 1 && i <= MAX_HOSTS ? labHost(i) : undefined;
}

/** The license only the first server holds ("the license the customer uploaded"). */
export const LICENSED_HOST = labHost(1).name;
