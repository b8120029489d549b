// Light hosts for scale benchmarks: a network namespace on the lab bridge, its own UTS name, a
// private mount namespace where /tmp, /etc/lab-light and /root are private tmpfs, and sshd only (no
// systemd). They share the controller's other files: tasks run against them must write only to /tmp and
// /etc/lab-light. /root is emptied because bash sources root's ~/.bashrc for every SSH session: the
// controller's (here `pyenv init`, 0.1-1 s per session) would otherwise run in every exec on every host.
import { closeSync, existsSync, openSync, promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { AUTHORIZED_KEYS, BRIDGE, LIGHT_DIR, LIGHT_PREFIX, PREFIX_LEN, type LabHost } from './config';
import { ensureHostIdentity } from './identity';
import { linkExists, waitLinkGone } from './network';
import { childrenOf, recordedPid, stopProcess } from './pids';
import { must, run } from './proc';

/** The per-host private directory (besides /tmp) that light hosts get. */
export const LIGHT_PRIVATE_DIR = '/etc/lab-light';
const NETNS_PREFIX = 'vphalab-';

export const netnsOf = (name: string): string => `${NETNS_PREFIX}${name}`;
export const lightVethOf = (name: string): string => `vl-${name}`.slice(0, 15);

function lightPaths(name: string) {
  const dir = path.join(LIGHT_DIR, name);
  return { dir, config: path.join(dir, 'sshd_config'), pid: path.join(dir, 'pid'), log: path.join(dir, 'sshd.log') };
}

/** The recorded wrapper (unshare) PID of a light host, if it still runs. */
export async function lightPid(name: string): Promise<number | undefined> {
  return recordedPid(lightPaths(name).pid, ['unshare', lightPaths(name).config]);
}

function sshdConfig(host: LabHost, hostKey: string): string {
  return [
    `# sshd of lab light host ${host.name} (written by lab/light.ts)`,
    `ListenAddress ${host.ip}`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${AUTHORIZED_KEYS}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PidFile none',
    'MaxStartups 200:30:400',
    'MaxSessions 64',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

async function setUpNetwork(host: LabHost): Promise<void> {
  const ns = netnsOf(host.name);
  const veth = lightVethOf(host.name);
  const existing = (await must(['ip', 'netns', 'list'])).stdout;
  if (new RegExp(`^${ns}( |$)`, 'm').test(existing)) await must(['ip', 'netns', 'del', ns]);
  if (await linkExists(veth)) await must(['ip', 'link', 'del', veth]);
  await must(['ip', 'netns', 'add', ns]);
  await must(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await fs.writeFile(`/proc/sys/net/ipv6/conf/${veth}/disable_ipv6`, '1').catch(() => undefined);
  await must(['ip', 'link', 'set', veth, 'master', BRIDGE, 'up']);
  // One shell inside the namespace for the rest: fewer processes when starting 50 hosts.
  await must(['ip', 'netns', 'exec', ns, 'sh', '-ec',
    'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ' +
      'ip link set lo up; ip addr add "$1" dev eth0; ip link set eth0 up',
    'sh', `${host.ip}/${PREFIX_LEN}`]);
}

// Runs as PID 1 of the host's PID namespace: name the host, make its private dirs, become sshd.
const INNER = [
  'echo "$1" > /proc/sys/kernel/hostname',
  `mount -t tmpfs -o mode=1777,size=64m lab-tmp /tmp`,
  `mount -t tmpfs -o mode=755,size=16m lab-light ${LIGHT_PRIVATE_DIR}`,
  'mount -t tmpfs -o mode=700,size=16m lab-root /root',
  'exec /usr/sbin/sshd -D -e -f "$2"',
].join('; ');

/** Start a light host unless it runs already. Resolves once its sshd process exists. */
export async function startLight(host: LabHost): Promise<void> {
  if ((await lightPid(host.name)) !== undefined) return;
  const p = lightPaths(host.name);
  await fs.mkdir(p.dir, { recursive: true });
  const id = await ensureHostIdentity(host.name, true);
  await fs.writeFile(p.config, sshdConfig(host, path.join(id.sshDir, 'ssh_host_ed25519_key')));
  await setUpNetwork(host);
  const log = openSync(p.log, 'a');
  const child = spawn(
    'ip',
    ['netns', 'exec', netnsOf(host.name), 'unshare', '--uts', '--mount', '--pid', '--fork', '--mount-proc',
      '--kill-child=SIGTERM', 'sh', '-ec', INNER, 'sh', host.name, p.config],
    { detached: true, stdio: ['ignore', log, log], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
  );
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start light host ${host.name}`);
  await fs.writeFile(p.pid, `${child.pid}\n`);
}

/** Prerequisites shared by all light hosts: sshd's privilege-separation dir, the private mount point. */
export async function prepareLightHosts(): Promise<void> {
  await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  await fs.mkdir(LIGHT_PRIVATE_DIR, { recursive: true, mode: 0o755 });
}

export async function stopLight(name: string): Promise<void> {
  const p = lightPaths(name);
  const wrapper = await lightPid(name);
  if (wrapper !== undefined) {
    // sshd is the namespace's PID 1: its end takes every session with it; unshare then exits.
    for (const sshd of await childrenOf(wrapper)) await stopProcess(sshd, 'SIGTERM', 3000);
    await stopProcess(wrapper, 'SIGTERM', 3000);
  }
  const ns = netnsOf(name);
  if (new RegExp(`^${ns}( |$)`, 'm').test((await must(['ip', 'netns', 'list'])).stdout)) await must(['ip', 'netns', 'del', ns]);
  if (await linkExists(lightVethOf(name))) await run(['ip', 'link', 'del', lightVethOf(name)]);
  await waitLinkGone(lightVethOf(name), 5000);
  await fs.rm(p.dir, { recursive: true, force: true });
}

/** Light hosts with state on disk or a namespace left over, by name. */
export async function knownLightNames(): Promise<string[]> {
  const names = new Set(await fs.readdir(LIGHT_DIR).catch(() => [] as string[]));
  const nsList = (await run(['ip', 'netns', 'list'])).stdout;
  for (const m of nsList.matchAll(new RegExp(`^${NETNS_PREFIX}(${LIGHT_PREFIX}\\d+)`, 'gm'))) names.add(m[1]!);
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Remove the private mount point again when no light host is left (it is empty on the controller). */
export async function cleanupLightHosts(): Promise<void> {
  if (existsSync(LIGHT_PRIVATE_DIR)) await fs.rmdir(LIGHT_PRIVATE_DIR).catch(() => undefined);
}
