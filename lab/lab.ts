// The lab's operations (what `npm run lab -- <cmd>` and spec/support/lab.ts call): each takes the
// lab lock, so a test run and a developer's command never interleave.
import { existsSync, promises as fs } from 'node:fs';
import {
  ARBITER,
  CLUSTER_GROUP,
  DEFAULT_HOSTS,
  HOSTS_DIR,
  INVENTORY_FILE,
  LIGHT_GROUP,
  LIGHT_INVENTORY_FILE,
  LIGHT_PREFIX,
  QNETD_GROUP,
  labHostByName,
  labHosts,
  lightHost,
  lightHosts,
  type LabHost,
} from './config';
import { ensureControllerTools } from './controller-tools';
import { knownHostNames } from './host';
import { ensureLabKey, writeKnownHosts } from './identity';
import { writeInventory } from './inventory-file';
import {
  cleanupLightHosts,
  knownLightNames,
  lightPid,
  prepareLightHosts,
  startLight,
  stopLight,
} from './light';
import { withLabLock } from './lock';
import { ensureBridge, removeBridge } from './network';
import { say } from './proc';
import { must } from './proc';
import { ensureImage } from './rootfs';
import { ensureUmlImage } from './uml-image';
import { driverFor, driverOfHostOnDisk, defaultTier, recordTier, storageTierUnavailable, tierArbiter, tierVars, type LabTier } from './tiers';
import { ensureLabSecrets } from './secrets';
import { sshBanner, waitForSsh } from './ssh-probe';

/** nspawn hosts answer in ~2 s; UML hosts in 20-35 s, more on a busy machine. */
const SSH_WAIT_MS = 240_000;

function lightByName(name: string): LabHost | undefined {
  const m = new RegExp(`^${LIGHT_PREFIX}([1-9][0-9]*)$`).exec(name);
  return m ? lightHost(Number(m[1])) : undefined;
}

/** The cluster's hosts (vprotect<N>) with state on disk; the arbiter is not one of them. */
async function fullHostsOnDisk(): Promise<LabHost[]> {
  return (await knownHostNames()).map(labHostByName).filter((h): h is LabHost => h !== undefined);
}

async function arbiterOnDisk(): Promise<LabHost[]> {
  return (await knownHostNames()).includes(ARBITER.name) ? [ARBITER] : [];
}

/** A cluster host or the arbiter, by name. */
function hostByName(name: string): LabHost | undefined {
  return name === ARBITER.name ? ARBITER : labHostByName(name);
}

async function lightHostsOnDisk(): Promise<LabHost[]> {
  return (await knownLightNames()).map(lightByName).filter((h): h is LabHost => h !== undefined);
}

async function refreshKnownHosts(): Promise<void> {
  await writeKnownHosts([...(await fullHostsOnDisk()), ...(await arbiterOnDisk()), ...(await lightHostsOnDisk())]);
}

async function tail(file: string, lines = 20): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitForFullHosts(hosts: readonly LabHost[]): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      if (await waitForSsh(h.ip, SSH_WAIT_MS)) return;
      const where = driverOfHostOnDisk(h.name).console(h.name);
      throw new Error(`${h.name} (${h.ip}): sshd did not answer within ${SSH_WAIT_MS / 1000} s; ${where}:\n${await tail(where)}`);
    }),
  );
}

/**
 * Exactly `n` full hosts of `tier` up (vprotect1..N; hosts beyond N, and hosts of the other tier, are
 * removed), with the tier's arbiter if it has one, the inventory written with the tier's variables.
 * Idempotent: running hosts are left alone; a crashed host boots again on its disks.
 */
export async function up(n: number = DEFAULT_HOSTS, tier?: LabTier): Promise<LabHost[]> {
  const hosts = labHosts(n);
  const wantedTier = tier ?? (await defaultTier());
  if (wantedTier === 'storage') {
    const why = await storageTierUnavailable();
    if (why) throw new Error(`the storage tier cannot run here: ${why}`);
  }
  const driver = driverFor(wantedTier);
  return withLabLock(async () => {
    const t0 = Date.now();
    await ensureControllerTools();
    const pub = await ensureLabKey();
    await ensureBridge();
    const arbiter = tierArbiter(wantedTier);
    const every = arbiter ? [...hosts, arbiter] : hosts;
    const wanted = new Set(hosts.map((h) => h.name));
    for (const name of await knownHostNames()) {
      const onDisk = driverOfHostOnDisk(name);
      // The arbiter is an nspawn host whatever the cluster's tier.
      const keep = name === ARBITER.name ? arbiter !== undefined && onDisk.tier === 'nspawn' : wanted.has(name) && onDisk.tier === wantedTier;
      if (!keep) await onDisk.destroy(name);
    }
    await recordTier(wantedTier);
    if (arbiter) await driverFor('nspawn').start(arbiter, every, pub);
    // UML kernels are started one after the other: two first boots at once fight over one core each.
    if (wantedTier === 'storage') for (const h of hosts) await driver.start(h, every, pub);
    else await Promise.all(hosts.map((h) => driver.start(h, every, pub)));
    await refreshKnownHosts();
    await writeInventory(
      INVENTORY_FILE,
      { [CLUSTER_GROUP]: { hosts, vars: tierVars(wantedTier) }, ...(arbiter ? { [QNETD_GROUP]: { hosts: [arbiter] } } : {}) },
      `The local lab cluster (${wantedTier} tier)`,
    );
    // The inventory's secrets too: a playbook run right after `up` finds its vault and the vault's password.
    await ensureLabSecrets();
    await waitForFullHosts(every);
    say(`${every.map((h) => h.name).join(', ')} up on the ${wantedTier} tier (${((Date.now() - t0) / 1000).toFixed(1)} s); inventory: ${INVENTORY_FILE}`);
    return hosts;
  });
}

/** Build (or find cached) the images the tier boots from, without starting anything. */
export function buildImages(tier: LabTier): Promise<void> {
  return withLabLock(async () => {
    await ensureControllerTools();
    const image = await ensureImage();
    if (tier === 'storage') await ensureUmlImage(image);
  });
}

/** Fresh full hosts: their disks are dropped and they boot again from the image; light hosts and the bridge stay. */
export async function renew(n: number = DEFAULT_HOSTS, tier?: LabTier): Promise<LabHost[]> {
  await withLabLock(async () => {
    for (const name of await knownHostNames()) await driverOfHostOnDisk(name).destroy(name);
  });
  return up(n, tier);
}

/** Boot one full host (or the arbiter) again (after `crash`); the rest of the lab must be up. */
export function start(name: string): Promise<LabHost> {
  const host = hostByName(name);
  if (!host) throw new Error(`no lab host named ${name}`);
  return withLabLock(async () => {
    if (!existsSync(`${HOSTS_DIR}/${name}`)) throw new Error(`${name} is not part of the lab: run \`lab up\` first`);
    const pub = await ensureLabKey();
    await ensureBridge();
    await driverOfHostOnDisk(name).start(host, [...(await fullHostsOnDisk()), ...(await arbiterOnDisk())], pub);
    await waitForFullHosts([host]);
    return host;
  });
}

/** Power cut: SIGKILL a full host's PID 1 (nspawn) or its whole kernel (UML); it stays down until `start`/`up`. */
export function crash(name: string): Promise<void> {
  if (!hostByName(name)) throw new Error(`no lab host named ${name}`);
  return withLabLock(async () => {
    if (!existsSync(`${HOSTS_DIR}/${name}`)) throw new Error(`${name} is not part of the lab`);
    await driverOfHostOnDisk(name).crash(name);
  });
}

/**
 * Cut the link between the full hosts, not their link to the controller or the arbiter: each cluster host's
 * bridge port is made isolated (an isolated port forwards only to non-isolated ones; the controller is the
 * bridge itself, the arbiter's port stays as it is).
 */
export function partition(): Promise<void> {
  return setIsolation(true);
}

/** Undo `partition`. */
export function heal(): Promise<void> {
  return setIsolation(false);
}

function setIsolation(on: boolean): Promise<void> {
  return withLabLock(async () => {
    const hosts = await fullHostsOnDisk();
    if (hosts.length < 2) throw new Error('partition needs two lab hosts up');
    for (const h of hosts) {
      const port = driverOfHostOnDisk(h.name).port(h.name);
      await must(['bridge', 'link', 'set', 'dev', port, 'isolated', on ? 'on' : 'off']);
    }
    say(`${on ? 'partitioned' : 'healed'}: ${hosts.map((h) => h.name).join(' <-> ')} (the controller reaches each)`);
  });
}

/** Exactly `n` light hosts (light1..N) up, their inventory written. */
export function upLight(n: number): Promise<LabHost[]> {
  const hosts = lightHosts(n);
  return withLabLock(async () => {
    const t0 = Date.now();
    await ensureControllerTools();
    await ensureLabKey();
    await ensureBridge();
    await prepareLightHosts();
    const wanted = new Set(hosts.map((h) => h.name));
    await Promise.all((await knownLightNames()).filter((name) => !wanted.has(name)).map(stopLight));
    // A few at a time: each start runs several `ip` commands.
    for (let i = 0; i < hosts.length; i += 10) await Promise.all(hosts.slice(i, i + 10).map(startLight));
    await refreshKnownHosts();
    await writeInventory(LIGHT_INVENTORY_FILE, { [LIGHT_GROUP]: { hosts } }, 'Light lab hosts (sshd only) for scale tests');
    const silent: string[] = [];
    await Promise.all(hosts.map(async (h) => (await waitForSsh(h.ip, 30_000)) || silent.push(h.name)));
    if (silent.length > 0) throw new Error(`light hosts whose sshd does not answer: ${silent.join(', ')}`);
    say(`${hosts.length} light hosts up (${((Date.now() - t0) / 1000).toFixed(1)} s); inventory: ${LIGHT_INVENTORY_FILE}`);
    return hosts;
  });
}

/** Stop the light hosts only (the full hosts and the bridge stay). */
export function downLight(): Promise<void> {
  return withLabLock(async () => {
    await Promise.all((await knownLightNames()).map(stopLight));
    await cleanupLightHosts();
    await refreshKnownHosts();
  });
}

/** Stop everything the lab started, unmount, delete the hosts' disks and the bridge. */
export function down(): Promise<void> {
  return withLabLock(async () => {
    await Promise.all((await knownHostNames()).map((name) => driverOfHostOnDisk(name).destroy(name)));
    await Promise.all((await knownLightNames()).map(stopLight));
    await cleanupLightHosts();
    await removeBridge();
  });
}

export interface HostStatus {
  readonly name: string;
  readonly ip: string;
  readonly kind: 'full' | 'light';
  /** Full hosts: the tier that made them. */
  readonly tier?: LabTier;
  /** nspawn's or the UML kernel's PID (full hosts) or the namespace wrapper's (light hosts), while it runs. */
  readonly pid?: number;
  readonly state: 'running' | 'down';
  /** Full hosts that ended: the last boot's exit code (e.g. after `crash`). */
  readonly exit?: number;
  readonly sshd: boolean;
}

export async function status(): Promise<HostStatus[]> {
  const out: HostStatus[] = [];
  for (const h of [...(await fullHostsOnDisk()), ...(await arbiterOnDisk())]) {
    const driver = driverOfHostOnDisk(h.name);
    const running = await driver.runs(h.name);
    out.push({
      ...h,
      kind: 'full',
      tier: driver.tier,
      pid: await driver.pid(h.name),
      state: running ? 'running' : 'down',
      exit: running ? undefined : await driver.lastExit(h.name),
      sshd: running && (await sshBanner(h.ip)),
    });
  }
  for (const h of await lightHostsOnDisk()) {
    const pid = await lightPid(h.name);
    out.push({ ...h, kind: 'light', pid, state: pid ? 'running' : 'down', sshd: pid !== undefined && (await sshBanner(h.ip)) });
  }
  return out;
}
