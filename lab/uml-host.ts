// One storage-tier host: a User-Mode Linux kernel (its own kernel: real DRBD, device-mapper, XFS) run as
// a process on the controller, root on a copy-on-write file over the shared UML image, a data disk for
// DRBD (/dev/ubdb), a tap on the lab bridge. State lives in HOSTS_DIR/NAME, as for nspawn hosts; the
// facts and pitfalls this follows are in ../shared/UML-LAB.md.
import { closeSync, existsSync, openSync, promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { BRIDGE, HOSTS_DIR, STATE_DIR, type LabHost } from './config';
import { machineIdOf, writeHostFiles } from './host-files';
import { removeTree } from './mounts';
import { linkExists } from './network';
import { alive, childrenOf, recordedPid, signal } from './pids';
import { must, run, waitFor } from './proc';
import type { UmlImage } from './uml-image';

/** What DRBD replicates: /dev/ubdb in the host. Sparse; XFS needs at least 300 MB (UML-LAB.md pitfall 8). */
export const DATA_DISK_SIZE = '640M';
/** The disk the roles see (inventory/lab's drbd_disk on this tier). */
export const DATA_DISK_DEVICE = '/dev/ubdb';
/** Guest RAM: MariaDB, corosync, pacemaker and pcsd together use about 600 MiB. */
const GUEST_MEMORY = '1024M';

export function umlPaths(name: string) {
  const dir = path.join(HOSTS_DIR, name);
  return {
    dir,
    cow: path.join(dir, 'root.cow'),
    data: path.join(dir, 'data.img'),
    /** The files the host copies in at first boot; the only directory its hostfs can see. */
    seed: path.join(dir, 'seed'),
    umlDir: path.join(dir, 'uml'),
    pid: path.join(dir, 'uml.pid'),
    /** Which root image the COW file was made over: a COW over another image is refused by the kernel. */
    base: path.join(dir, 'base'),
    console: path.join(STATE_DIR, 'logs', `${name}.console.log`),
    prepared: path.join(dir, 'prepared'),
  };
}

/** The host's tap on the lab bridge: its one link, and the port `partition` isolates. */
export const tapOf = (name: string): string => `ut-${name}`.slice(0, 15);

/** A stable MAC per host: 52:54:00:12:00:<last octet of its address>. */
export function macOf(host: LabHost): string {
  const last = Number(host.ip.split('.').pop());
  return `52:54:00:12:00:${last.toString(16).padStart(2, '0')}`;
}

export async function umlPid(name: string): Promise<number | undefined> {
  return recordedPid(umlPaths(name).pid, [`umid=${name}`]);
}

/** Every host process of the guest: the kernel's main process and its descendants (one per address space, I/O helpers). */
async function processTree(root: number): Promise<number[]> {
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(await childrenOf(all[i]!)));
  return all;
}

/** Processes of this host left by a killed kernel: any process whose argv names its umid. */
async function strayProcesses(name: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes(`umid=${name}`)) found.push(Number(entry));
  }
  return found;
}

async function ensureTap(name: string): Promise<void> {
  const tap = tapOf(name);
  if (!(await linkExists(tap))) await must(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await must(['ip', 'link', 'set', 'dev', tap, 'master', BRIDGE]);
  await must(['ip', 'link', 'set', 'dev', tap, 'up']);
}

/** A fresh host's disks and seed; a host made over another root image starts afresh. */
async function prepare(host: LabHost, allHosts: readonly LabHost[], image: UmlImage, labPubKey: string): Promise<void> {
  const p = umlPaths(host.name);
  const madeOver = await fs.readFile(p.base, 'utf8').catch(() => '');
  if (existsSync(p.prepared) && madeOver.trim() === image.base) return;
  for (const f of [p.cow, p.data, p.prepared]) await fs.rm(f, { force: true });
  await removeTree(p.seed).catch(() => undefined);
  await fs.mkdir(p.dir, { recursive: true });
  await fs.mkdir(path.dirname(p.console), { recursive: true });
  await fs.writeFile(p.console, '');
  await writeHostFiles(path.join(p.seed, 'files'), host, allHosts, labPubKey, { machineId: false });
  await must(['truncate', '-s', DATA_DISK_SIZE, p.data]);
  await fs.writeFile(p.base, `${image.base}\n`);
  await fs.writeFile(p.prepared, `${new Date().toISOString()}\n`);
}

function kernelArgs(host: LabHost, image: UmlImage, machineId: string): string[] {
  const p = umlPaths(host.name);
  return [
    `umid=${host.name}`,
    `uml_dir=${p.umlDir}`,
    `mem=${GUEST_MEMORY}`,
    `ubd0=${p.cow},${image.base}`,
    `ubd1=${p.data}`,
    'root=/dev/ubda',
    'rw',
    // The legacy tuntap transport: the vector driver gave 0.38 MB/s TCP here (UML-LAB.md pitfall 2).
    `eth0=tuntap,${tapOf(host.name)},${macOf(host)}`,
    `hostfs=${p.seed}`,
    'con=null',
    'ssl=null',
    'con0=null,fd:1',
    'init=/lib/systemd/systemd',
    `systemd.hostname=${host.name}`,
    `systemd.machine_id=${machineId}`,
    'systemd.show_status=1',
    'loglevel=4',
  ];
}

/** Boot the host unless it runs. A crashed host boots again on the disks it had. Resolves once the kernel runs. */
export async function startUmlHost(host: LabHost, allHosts: readonly LabHost[], image: UmlImage, labPubKey: string): Promise<void> {
  if ((await umlPid(host.name)) !== undefined) return;
  for (const pid of await strayProcesses(host.name)) signal(pid, 'SIGKILL');
  await prepare(host, allHosts, image, labPubKey);
  await ensureTap(host.name);
  const p = umlPaths(host.name);
  await fs.rm(p.umlDir, { recursive: true, force: true });
  await fs.mkdir(p.umlDir, { recursive: true });
  const log = openSync(p.console, 'a');
  // Guest RAM is an unlinked file in TMPDIR: on tmpfs, never on disk (UML-LAB.md pitfall 1).
  const child = spawn('linux.uml', kernelArgs(host, image, await machineIdOf(host.name)), {
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: '/dev/shm', LC_ALL: 'C' },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start the UML kernel of ${host.name}`);
  await fs.writeFile(p.pid, `${child.pid}\n`);
  const running = await waitFor(async () => (await alive(child.pid!)) && existsSync(path.join(p.umlDir, host.name, 'pid')), 15_000);
  if (!running) throw new Error(`${host.name}: the UML kernel did not start; see ${p.console}`);
}

/**
 * Power cut: SIGKILL the kernel and every process of its guest at once. The tree is read before the kill:
 * a killed UML kernel leaves its children running, reparented (UML-LAB.md pitfall 5).
 */
export async function crashUmlHost(name: string): Promise<void> {
  const main = await umlPid(name);
  if (main === undefined) throw new Error(`${name} is not running`);
  const tree = await processTree(main);
  for (const pid of tree) signal(pid, 'SIGKILL');
  for (const pid of await strayProcesses(name)) signal(pid, 'SIGKILL');
  const gone = await waitFor(async () => (await strayProcesses(name)).length === 0 && !(await alive(main)), 20_000);
  if (!gone) throw new Error(`${name}: processes of the killed UML kernel are still alive`);
}

/** Stop the host (its disks are thrown away: no clean shutdown needed), remove its tap and its state. */
export async function destroyUmlHost(name: string): Promise<void> {
  if ((await umlPid(name)) !== undefined) await crashUmlHost(name);
  for (const pid of await strayProcesses(name)) signal(pid, 'SIGKILL');
  if (await linkExists(tapOf(name))) await run(['ip', 'link', 'del', 'dev', tapOf(name)]);
  await removeTree(umlPaths(name).dir);
}

export async function umlHostRuns(name: string): Promise<boolean> {
  return (await umlPid(name)) !== undefined;
}
