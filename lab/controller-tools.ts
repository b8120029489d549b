// The controller's Debian tools the lab (and the offline checks) need; installed when missing,
// since CI starts from a fresh Debian 12 machine with only `npm ci` run.
import { haveCommand, must, run, say } from './proc';

/** A command that proves a package is installed, and the package that brings it. */
const TOOLS: ReadonlyArray<readonly [command: string, pkg: string]> = [
  ['debootstrap', 'debootstrap'],
  ['systemd-nspawn', 'systemd-container'],
  ['zstd', 'zstd'],
  ['crm_simulate', 'pacemaker-cli-utils'],
  ['pcs', 'pcs'],
  ['drbdadm', 'drbd-utils'],
  ['ssh', 'openssh-client'],
  ['ssh-keygen', 'openssh-client'],
  ['sshd', 'openssh-server'],
  ['ip', 'iproute2'],
  ['linux.uml', 'user-mode-linux'], // the storage tier's kernel
];

let checked = false;

export async function ensureControllerTools(): Promise<void> {
  if (checked) return;
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (namespaces, mounts, bridge)');
  const missing = new Set<string>();
  for (const [cmd, pkg] of TOOLS) if (!(await haveCommand(cmd))) missing.add(pkg);
  if (missing.size > 0) {
    const pkgs = [...missing];
    say(`installing controller packages: ${pkgs.join(' ')}`);
    // Another apt run may hold the dpkg lock (e.g. a provisioning step): wait for it.
    const apt = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-y', '--no-install-recommends'];
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const first = await run([...apt, 'install', ...pkgs], { env });
    if (first.code !== 0) {
      // A fresh machine may have no package lists yet.
      await must(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update'], { env });
      await must([...apt, 'install', ...pkgs], { env });
    }
  }
  checked = true;
}
