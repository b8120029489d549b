// The files that make a lab host itself, whatever boots it: hostname, /etc/hosts, its address on the
// lab bridge (interface host0 on both tiers), its kept SSH host keys and machine-id, root's lab key, and
// the stand-in license on vprotect1. nspawn hosts get them written into their overlay; UML hosts copy
// them from their seed directory at first boot.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LICENSED_HOST, PREFIX_LEN, type LabHost } from './config';
import { ensureHostIdentity } from './identity';

/** The lab's interface name inside every host: nspawn's own name, and what UML hosts rename eth0 to (lab/image/uml-setup.sh). */
export const HOST_NIC = 'host0';

async function writeFile(root: string, rel: string, content: string, mode: number): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content, { mode });
  await fs.chmod(file, mode);
}

export interface HostFileOptions {
  /** Written unless the kernel command line sets it (UML: systemd.machine_id=). */
  readonly machineId?: boolean;
}

/** Write the host's own files under `root` (a host's root directory, or a seed tree laid out like one). */
export async function writeHostFiles(
  root: string,
  host: LabHost,
  allHosts: readonly LabHost[],
  labPubKey: string,
  opts: HostFileOptions = {},
): Promise<void> {
  const id = await ensureHostIdentity(host.name);
  await writeFile(root, 'etc/hostname', `${host.name}\n`, 0o644);
  const hosts = ['127.0.0.1\tlocalhost', ...allHosts.map((h) => `${h.ip}\t${h.name}`)];
  await writeFile(root, 'etc/hosts', `${hosts.join('\n')}\n`, 0o644);
  if (opts.machineId !== false) await writeFile(root, 'etc/machine-id', `${id.machineId}\n`, 0o444);
  // Sorts before nspawn's built-in 80-container-host0.network, which would give only a 169.254 address.
  const network = ['[Match]', `Name=${HOST_NIC}`, '', '[Network]', `Address=${host.ip}/${PREFIX_LEN}`, 'LinkLocalAddressing=no', 'IPv6AcceptRA=no'];
  await writeFile(root, `etc/systemd/network/10-lab-${HOST_NIC}.network`, `${network.join('\n')}\n`, 0o644);
  for (const f of await fs.readdir(id.sshDir)) {
    if (!f.startsWith('ssh_host_')) continue;
    const content = await fs.readFile(path.join(id.sshDir, f), 'utf8');
    await writeFile(root, path.join('etc/ssh', f), content, f.endsWith('.pub') ? 0o644 : 0o600);
  }
  await fs.mkdir(path.join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  await writeFile(root, 'root/.ssh/authorized_keys', `${labPubKey}\n`, 0o600);
  if (host.name === LICENSED_HOST) {
    const license = [
      '# LAB STAND-IN license key: "the license the customer uploaded" to vprotect1. Not a real license.',
      'customer=vProtect HA lab',
      'license.id=LAB-0001',
      'valid.until=2099-12-31',
    ];
    await writeFile(root, 'opt/vprotect/license.key', `${license.join('\n')}\n`, 0o600);
  }
}

/** The machine-id the host keeps across boots and `down`/`up`. */
export async function machineIdOf(name: string): Promise<string> {
  return (await ensureHostIdentity(name)).machineId;
}
