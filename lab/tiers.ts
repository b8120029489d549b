// The lab's two tiers behind one interface. Same names, addresses, interface name (host0) and inventory
// shape on both: a playbook cannot tell them apart but for what the hardware allows.
//   nspawn  - systemd-nspawn hosts sharing the controller's kernel: fast, no DRBD (storage proven offline)
//   storage - User-Mode Linux hosts with their own kernel: real DRBD on a real block device under /vprotect_data
import { existsSync, promises as fs } from 'node:fs';
import { ARBITER, STATE_DIR, type LabHost } from './config';
import { crashHost, destroyHost, hostPaths, isRunning, lastExit, nspawnPid, startHost, vethOf } from './host';
import { haveCommand } from './proc';
import { ensureImage, type Image } from './rootfs';
import { crashUmlHost, DATA_DISK_DEVICE, destroyUmlHost, startUmlHost, tapOf, umlPaths, umlPid } from './uml-host';
import { ensureUmlImage } from './uml-image';

export const LAB_TIERS = ['nspawn', 'storage'] as const;
export type LabTier = (typeof LAB_TIERS)[number];

/** Picks the tier when a command names none (`npm run lab -- up`, the specs' startLab). */
export const TIER_ENV = 'VPHALAB_TIER';
const TIER_FILE = `${STATE_DIR}/tier`;

export function parseTier(value: string): LabTier {
  const tier = LAB_TIERS.find((t) => t === value);
  if (!tier) throw new Error(`unknown lab tier "${value}": expected ${LAB_TIERS.join(' or ')}`);
  return tier;
}

/** The tier the hosts on disk belong to (nspawn when the lab never recorded one). */
export async function currentTier(): Promise<LabTier> {
  const text = (await fs.readFile(TIER_FILE, 'utf8').catch(() => '')).trim();
  return text === '' ? 'nspawn' : parseTier(text);
}

export async function recordTier(tier: LabTier): Promise<void> {
  await fs.mkdir(STATE_DIR, { recursive: true });
  await fs.writeFile(TIER_FILE, `${tier}\n`);
}

/** The tier a command without --tier means: $VPHALAB_TIER, else the one the lab has. */
export async function defaultTier(): Promise<LabTier> {
  const env = process.env[TIER_ENV];
  return env ? parseTier(env) : currentTier();
}

/** Whether this machine can run the storage tier, and if not why (a spec reports itself pending with it). */
export async function storageTierUnavailable(): Promise<string | undefined> {
  if (!(await haveCommand('linux.uml'))) return 'linux.uml is not installed (Debian package user-mode-linux)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing: UML hosts need tap devices';
  return undefined;
}

/** Variables the tier decides, written as group vars of the cluster in inventory/lab/hosts.yml. */
export function tierVars(tier: LabTier): Record<string, unknown> {
  return tier === 'storage'
    ? { drbd_enabled: true, drbd_disk: DATA_DISK_DEVICE, pacemaker_quorum_device: { host: ARBITER.name } }
    : { drbd_enabled: false };
}

/**
 * The tier's arbiter host (group qnetd), if it has one: the storage tier, whose partition test proves that only
 * one half promotes DRBD. An nspawn host there too (corosync-qnetd needs no kernel of its own).
 */
export function tierArbiter(tier: LabTier): LabHost | undefined {
  return tier === 'storage' ? ARBITER : undefined;
}

export interface HostDriver {
  readonly tier: LabTier;
  start(host: LabHost, allHosts: readonly LabHost[], labPubKey: string): Promise<void>;
  /** Power cut: the host's init (nspawn) or kernel (UML) killed; it stays down until start. */
  crash(name: string): Promise<void>;
  destroy(name: string): Promise<void>;
  runs(name: string): Promise<boolean>;
  pid(name: string): Promise<number | undefined>;
  lastExit(name: string): Promise<number | undefined>;
  console(name: string): string;
  /** The host's port on the lab bridge. */
  port(name: string): string;
}

/** One image check per process: hosts start in parallel, and two extractions of one rootfs must not race. */
let image: Promise<Image> | undefined;
function theImage(): Promise<Image> {
  image ??= ensureImage().catch((e: unknown) => {
    image = undefined;
    throw e;
  });
  return image;
}

const nspawn: HostDriver = {
  tier: 'nspawn',
  start: async (host, all, pub) => startHost(host, all, await theImage(), pub),
  crash: crashHost,
  destroy: destroyHost,
  runs: isRunning,
  pid: nspawnPid,
  lastExit,
  console: (name) => hostPaths(name).console,
  port: vethOf,
};

const uml: HostDriver = {
  tier: 'storage',
  start: async (host, all, pub) => startUmlHost(host, all, await ensureUmlImage(await theImage()), pub),
  crash: crashUmlHost,
  destroy: destroyUmlHost,
  runs: async (name) => (await umlPid(name)) !== undefined,
  pid: umlPid,
  lastExit: async () => undefined,
  console: (name) => umlPaths(name).console,
  port: tapOf,
};

export function driverFor(tier: LabTier): HostDriver {
  return tier === 'storage' ? uml : nspawn;
}

/** The driver that made the host on disk (its files tell: a UML host records its root image). */
export function driverOfHostOnDisk(name: string): HostDriver {
  return existsSync(umlPaths(name).base) ? uml : nspawn;
}
