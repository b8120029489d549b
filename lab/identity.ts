// SSH identities: the lab's login key pair, each host's own host keys and machine-id (kept across
// `down`/`up` so a host keeps its identity), and the lab known_hosts file listing them.
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AUTHORIZED_KEYS, IDENTITY_DIR, KNOWN_HOSTS, LAB_KEY, LAB_KEY_PUB, STATE_DIR, type LabHost } from './config';
import { must } from './proc';

/** The lab key pair (ed25519) and an authorized_keys file holding its public half. */
export async function ensureLabKey(): Promise<string> {
  await fs.mkdir(STATE_DIR, { recursive: true, mode: 0o755 });
  if (!existsSync(LAB_KEY))
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'vphalab', '-f', LAB_KEY]);
  const pub = (await fs.readFile(LAB_KEY_PUB, 'utf8')).trim();
  await fs.writeFile(AUTHORIZED_KEYS, `${pub}\n`, { mode: 0o644 });
  return pub;
}

export interface HostIdentity {
  /** Directory holding etc/ssh/ssh_host_*_key{,.pub}. */
  readonly dir: string;
  readonly sshDir: string;
  readonly machineId: string;
}

/**
 * A host's identity, created on first use. `ed25519Only` (light hosts) makes one key type: it is
 * quicker for 50 hosts and enough for any client.
 */
export async function ensureHostIdentity(name: string, ed25519Only = false): Promise<HostIdentity> {
  const dir = path.join(IDENTITY_DIR, name);
  const sshDir = path.join(dir, 'etc', 'ssh');
  await fs.mkdir(sshDir, { recursive: true, mode: 0o700 });
  if (ed25519Only) {
    const key = path.join(sshDir, 'ssh_host_ed25519_key');
    if (!existsSync(key)) await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${name}`, '-f', key]);
  } else {
    await must(['ssh-keygen', '-A', '-f', dir]); // makes only the key types still missing
  }
  const idFile = path.join(dir, 'machine-id');
  if (!existsSync(idFile)) await fs.writeFile(idFile, `${randomBytes(16).toString('hex')}\n`);
  return { dir, sshDir, machineId: (await fs.readFile(idFile, 'utf8')).trim() };
}

async function publicKeys(name: string): Promise<string[]> {
  const sshDir = path.join(IDENTITY_DIR, name, 'etc', 'ssh');
  const files = (await fs.readdir(sshDir).catch(() => [] as string[])).filter((f) => f.endsWith('.pub')).sort();
  const keys: string[] = [];
  for (const f of files) {
    const [type, blob] = (await fs.readFile(path.join(sshDir, f), 'utf8')).trim().split(/\s+/);
    if (type && blob) keys.push(`${type} ${blob}`);
  }
  return keys;
}

/** known_hosts lines for these hosts: each listed by name and address. */
export async function knownHostsLines(hosts: readonly LabHost[]): Promise<string[]> {
  const lines: string[] = [];
  for (const h of hosts) for (const key of await publicKeys(h.name)) lines.push(`${h.name},${h.ip} ${key}`);
  return lines;
}

/** Rewrite the lab known_hosts with exactly these hosts' keys. */
export async function writeKnownHosts(hosts: readonly LabHost[]): Promise<void> {
  const body = ['# vProtect HA lab host keys; written by `npm run lab -- up`', ...(await knownHostsLines(hosts))];
  const tmp = `${KNOWN_HOSTS}.tmp`;
  await fs.writeFile(tmp, `${body.join('\n')}\n`, { mode: 0o644 });
  await fs.rename(tmp, KNOWN_HOSTS);
}
