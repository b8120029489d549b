// The lab's operations (what `npm run lab -- <cmd>` and spec/support/lab.ts call): each takes the
// lab lock, so a test run and a developer's command never interleave.
import { existsSync, promises as fs } from 'node:fs';
import {
  CLUSTER_GROUP,
  DEFAULT_HOSTS,
  INVENTORY_FILE,
  LIGHT_GROUP,
  LIGHT_INVENTORY_FILE,
  LIGHT_PREFIX,
  labHostByName,
  labHosts,
  lightHost,
  lightHosts,
  type LabHost,
} from './config';
import { ensureControllerTools } from './controller-tools';
import {
  crashHost,
  destroyHost,
  hostPaths,
  isRunning,
  knownHostNames,
  lastExit,
  nspawnPid,
  startHost,
} from './host';
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
import { ensureImage } from './rootfs';
import { ensureLabSecrets } from './secrets';
import { sshBanner, waitForSsh } from './ssh-probe';

const SSH_WAIT_MS = 120_000;

function lightByName(name: string): LabHost | undefined {
  const m = new RegExp(`^${LIGHT_PREFIX}([1-9][0-9]*)$`).exec(name);
  return m ? lightHost(Number(m[1])) : undefined;
}

async function fullHostsOnDisk(): Promise<LabHost[]> {
  return (await knownHostNames()).map(labHostByName).filter((h): h is LabHost => h !== undefined);
}

async function lightHostsOnDisk(): Promise<LabHost[]> {
  return (await knownLightNames()).map(lightByName).filter((h): h is LabHost => h !== undefined);
}

async function refreshKnownHosts(): Promise<void> {
  await writeKnownHosts([...(await fullHostsOnDisk()), ...(await lightHostsOnDisk())]);
}

async function tail(file: string, lines = 20): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitForFullHosts(hosts: readonly LabHost[]): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      if (await waitForSsh(h.ip, SSH_WAIT_MS)) return;
      const where = hostPaths(h.name).console;
      throw new Error(`${h.name} (${h.ip}): sshd did not answer within ${SSH_WAIT_MS / 1000} s; ${where}:\n${await tail(where)}`);
    }),
  );
}

/**
 * Exactly `n` full hosts up (vprotect1..N; hosts beyond N are removed), the inventory written.
 * Idempotent: running hosts are left alone; a crashed or powered-off host boots again on its disk.
 */
export function up(n: number = DEFAULT_HOSTS): Promise<LabHost[]> {
  const hosts = labHosts(n);
  return withLabLock(async () => {
    const t0 = Date.now();
    await ensureControllerTools();
    const image = await ensureImage();
    const pub = await ensureLabKey();
    await ensureBridge();
    const wanted = new Set(hosts.map((h) => h.name));
    for (const name of await knownHostNames()) if (!wanted.has(name)) await destroyHost(name);
    await Promise.all(hosts.map((h) => startHost(h, hosts, image, pub)));
    await refreshKnownHosts();
    await writeInventory(INVENTORY_FILE, CLUSTER_GROUP, hosts, 'The local lab cluster');
    // The inventory's secrets too: a playbook run right after `up` finds its vault and the vault's password.
    await ensureLabSecrets();
    await waitForFullHosts(hosts);
    say(`${hosts.map((h) => h.name).join(', ')} up (${((Date.now() - t0) / 1000).toFixed(1)} s); inventory: ${INVENTORY_FILE}`);
    return hosts;
  });
}

/** Fresh full hosts: their disks are dropped and they boot again from the image; light hosts and the bridge stay. */
export async function renew(n: number = DEFAULT_HOSTS): Promise<LabHost[]> {
  await withLabLock(async () => {
    await Promise.all((await knownHostNames()).map(destroyHost));
  });
  return up(n);
}

/** Boot one full host again (after `crash` or a poweroff); the rest of the lab must be up. */
export function start(name: string): Promise<LabHost> {
  const host = labHostByName(name);
  if (!host) throw new Error(`no lab host named ${name}`);
  return withLabLock(async () => {
    if (!existsSync(hostPaths(name).dir)) throw new Error(`${name} is not part of the lab: run \`lab up\` first`);
    const image = await ensureImage();
    const pub = await ensureLabKey();
    await ensureBridge();
    await startHost(host, await fullHostsOnDisk(), image, pub);
    await waitForFullHosts([host]);
    return host;
  });
}

/** SIGKILL a full host's PID 1; it stays down until `start`/`up`. */
export function crash(name: string): Promise<void> {
  if (!labHostByName(name)) throw new Error(`no lab host named ${name}`);
  return withLabLock(() => crashHost(name));
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
    await writeInventory(LIGHT_INVENTORY_FILE, LIGHT_GROUP, hosts, 'Light lab hosts (sshd only) for scale tests');
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
    await Promise.all((await knownHostNames()).map(destroyHost));
    await Promise.all((await knownLightNames()).map(stopLight));
    await cleanupLightHosts();
    await removeBridge();
  });
}

export interface HostStatus {
  readonly name: string;
  readonly ip: string;
  readonly kind: 'full' | 'light';
  /** nspawn's PID (full hosts) or the namespace wrapper's (light hosts), while it runs. */
  readonly pid?: number;
  readonly state: 'running' | 'down';
  /** Full hosts that ended: the last boot's exit code (e.g. after `crash`). */
  readonly exit?: number;
  readonly sshd: boolean;
}

export async function status(): Promise<HostStatus[]> {
  const out: HostStatus[] = [];
  for (const h of await fullHostsOnDisk()) {
    const running = await isRunning(h.name);
    out.push({
      ...h,
      kind: 'full',
      pid: await nspawnPid(h.name),
      state: running ? 'running' : 'down',
      exit: running ? undefined : await lastExit(h.name),
      sshd: running && (await sshBanner(h.ip)),
    });
  }
  for (const h of await lightHostsOnDisk()) {
    const pid = await lightPid(h.name);
    out.push({ ...h, kind: 'light', pid, state: pid ? 'running' : 'down', sshd: pid !== undefined && (await sshBanner(h.ip)) });
  }
  return out;
}
