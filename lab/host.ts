// One full lab host: an overlay of the shared rootfs as its root, booted by systemd-nspawn (systemd
// as PID 1) under lab/host-supervisor.sh, on the lab bridge. State lives in HOSTS_DIR/NAME.
import { openSync, closeSync, existsSync, promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  BRIDGE,
  HOST_APT_DIR,
  HOSTS_DIR,
  REPO_ROOT,
  STATE_DIR,
  type LabHost,
} from './config';
import { writeHostFiles } from './host-files';
import { isMountpoint, mounts, removeTree, unmountUnder } from './mounts';
import { waitLinkGone } from './network';
import { alive, namespaceInit, recordedPid, signal, stopProcess } from './pids';
import { must, waitFor } from './proc';
import type { Image } from './rootfs';

const SUPERVISOR = path.join(REPO_ROOT, 'lab', 'host-supervisor.sh');

export function hostPaths(name: string) {
  const dir = path.join(HOSTS_DIR, name);
  return {
    dir,
    root: path.join(dir, 'root'),
    upper: path.join(dir, 'upper'),
    work: path.join(dir, 'work'),
    supervisorPid: path.join(dir, 'supervisor.pid'),
    nspawnPid: path.join(dir, 'nspawn.pid'),
    exit: path.join(dir, 'exit'),
    stop: path.join(dir, 'stop'),
    /** Outside dir: kept after `down` for a look at how the last run ended. */
    console: path.join(STATE_DIR, 'logs', `${name}.console.log`),
    /** Present once the per-host files are written: later `up`s leave the host's disk alone. */
    prepared: path.join(dir, 'prepared'),
  };
}

export const vethOf = (name: string): string => `vb-${name}`.slice(0, 15);

export async function supervisorPid(name: string): Promise<number | undefined> {
  return recordedPid(hostPaths(name).supervisorPid, ['host-supervisor.sh', name]);
}

export async function nspawnPid(name: string): Promise<number | undefined> {
  return recordedPid(hostPaths(name).nspawnPid, ['systemd-nspawn', `--machine=${name}`]);
}

/** Booted or about to be booted again (a reboot in progress). */
export async function isRunning(name: string): Promise<boolean> {
  return (await nspawnPid(name)) !== undefined || (await supervisorPid(name)) !== undefined;
}

/** The last boot's exit code when the host is down (137-like codes after a crash), else undefined. */
export async function lastExit(name: string): Promise<number | undefined> {
  const text = await fs.readFile(hostPaths(name).exit, 'utf8').catch(() => '');
  return text.trim() === '' ? undefined : Number(text.trim());
}

async function mountOverlay(name: string, image: Image): Promise<void> {
  const p = hostPaths(name);
  const current = (await mounts()).find((m) => m.target === p.root);
  if (current && current.options.includes(`lowerdir=${image.rootfs},`)) return;
  if (current || existsSync(p.prepared)) {
    // Built on an older image: its upper layer belongs to that image, start afresh.
    await unmountUnder(p.root);
    await removeTree(p.upper);
    await removeTree(p.work);
    await fs.rm(p.prepared, { force: true });
  }
  for (const d of [p.root, p.upper, p.work]) await fs.mkdir(d, { recursive: true });
  await must(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${image.rootfs},upperdir=${p.upper},workdir=${p.work}`, p.root]);
}

function nspawnArgs(host: LabHost, image: Image): string[] {
  return [
    '--keep-unit', // PID 1 here is not systemd: nspawn cannot ask it for a scope
    '--register=no',
    '--boot',
    `--machine=${host.name}`,
    `--hostname=${host.name}`,
    '-D',
    hostPaths(host.name).root,
    `--network-bridge=${BRIDGE}`,
    '--resolv-conf=off',
    '--timezone=off',
    '--link-journal=no',
    '--console=read-only',
    `--bind-ro=${image.aptRepo}:${HOST_APT_DIR}`,
  ];
}

/**
 * Boot the host unless it runs already. A fresh host gets its files written; a host that crashed or
 * was powered off boots again on the disk it had. Resolves once nspawn runs (not when sshd answers).
 */
export async function startHost(host: LabHost, allHosts: readonly LabHost[], image: Image, labPubKey: string): Promise<void> {
  if (await isRunning(host.name)) return;
  const p = hostPaths(host.name);
  // A container left running without its nspawn must not share the disk with a new boot.
  for (const init of await containerInits(host.name)) await stopProcess(init, 'SIGKILL', 0);
  if (!(await waitLinkGone(vethOf(host.name))))
    throw new Error(`${vethOf(host.name)} from an earlier boot of ${host.name} does not go away`);
  await mountOverlay(host.name, image);
  await fs.mkdir(path.dirname(p.console), { recursive: true });
  if (!existsSync(p.prepared)) {
    await fs.writeFile(p.console, '');
    await writeHostFiles(p.root, host, allHosts, labPubKey);
    await fs.writeFile(p.prepared, `${new Date().toISOString()}\n`);
  }
  for (const f of [p.exit, p.stop, p.nspawnPid, p.supervisorPid]) await fs.rm(f, { force: true });
  const log = openSync(p.console, 'a');
  const child = spawn('/bin/sh', [SUPERVISOR, host.name, p.dir, ...nspawnArgs(host, image)], {
    detached: true, // own session: survives the lab command and a Ctrl-C of a test run
    stdio: ['ignore', log, log],
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start the supervisor of ${host.name}`);
  await fs.writeFile(p.supervisorPid, `${child.pid}\n`);
  const booted = await waitFor(async () => (await nspawnPid(host.name)) !== undefined || (await lastExit(host.name)) !== undefined, 10_000);
  const exit = await lastExit(host.name);
  if (!booted || exit !== undefined)
    throw new Error(`${host.name} did not boot (exit ${exit ?? '?'}): see ${p.console}`);
}

/** SIGKILL the host's PID 1 (systemd), like pulling the plug; the supervisor does not boot it again. */
export async function crashHost(name: string): Promise<void> {
  const nspawn = await nspawnPid(name);
  if (nspawn === undefined) throw new Error(`${name} is not running`);
  const init = await namespaceInit(nspawn);
  if (init === undefined) throw new Error(`${name}: cannot find the host's PID 1 under nspawn ${nspawn}`);
  signal(init, 'SIGKILL');
  await waitFor(async () => (await nspawnPid(name)) === undefined && (await supervisorPid(name)) === undefined, 20_000);
  await waitLinkGone(vethOf(name));
}

/**
 * PID 1 of any container whose root is this host's overlay, whoever its parent: finds a host
 * left behind when its nspawn was killed. Identified by the overlay's upperdir, so never a stranger.
 */
async function containerInits(name: string): Promise<number[]> {
  const marker = `upperdir=${hostPaths(name).upper},`;
  const found: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await fs.readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    if (nspid.length < 2 || nspid[nspid.length - 1] !== '1') continue;
    const mountinfo = await fs.readFile(`/proc/${entry}/mountinfo`, 'utf8').catch(() => '');
    const rootMount = mountinfo.split('\n').find((l) => l.split(' ')[4] === '/');
    if (rootMount?.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** Stop the host (SIGTERM to nspawn: a clean shutdown; SIGKILL of its PID 1 if that hangs), unmount and delete its disk. */
export async function destroyHost(name: string): Promise<void> {
  const p = hostPaths(name);
  const sup = await supervisorPid(name);
  if (existsSync(p.dir)) await fs.writeFile(p.stop, ''); // the supervisor must not boot it again
  const nspawn = await nspawnPid(name);
  if (nspawn !== undefined) {
    signal(nspawn, 'SIGTERM');
    if (!(await waitFor(async () => !(await alive(nspawn)), 20_000))) {
      for (const init of await containerInits(name)) signal(init, 'SIGKILL');
      await stopProcess(nspawn, 'SIGTERM', 10_000);
    }
  }
  for (const init of await containerInits(name)) await stopProcess(init, 'SIGKILL', 0);
  // It reaps nspawn and exits by itself; SIGKILL only if it does not.
  if (sup !== undefined && !(await waitFor(async () => !(await alive(sup)), 5000))) await stopProcess(sup, 'SIGKILL', 1000);
  await waitLinkGone(vethOf(name));
  if (await isMountpoint(p.root)) await unmountUnder(p.root);
  await removeTree(p.dir);
}

/** Names of hosts with state on disk (running, crashed or stopped). */
export async function knownHostNames(): Promise<string[]> {
  const names = await fs.readdir(HOSTS_DIR).catch(() => [] as string[]);
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
