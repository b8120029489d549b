// Inventory variables (Ansible names) -> everything an SSH connection needs, validated once.
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEntry } from '../inventory/types';
import type { HostName } from '../types';
import { ConfigError } from '../errors';

export interface ConnectionOptions {
  /** Default ~/.ssh/known_hosts; the inventory var ansible_ssh_known_hosts_file overrides it per host. */
  readonly knownHostsFile?: string;
  /** --accept-new-host-keys: unknown keys are recorded, changed keys still fail. */
  readonly acceptNewHostKeys?: boolean;
  /** Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Login user where the inventory sets no ansible_user (-u); default root. */
  readonly user?: string;
  /** Key file where the inventory sets no ansible_ssh_private_key_file (--private-key). */
  readonly privateKeyFile?: string;
  /** Login password where the inventory sets no ansible_password (-k), never logged. */
  readonly password?: string;
  /** sudo password where the inventory sets no ansible_become_password (-K), never logged. */
  readonly becomePassword?: string;
  /** The user become runs as where the inventory sets no ansible_become_user (--become-user); default root. */
  readonly becomeUser?: string;
}

export interface SshSettings {
  readonly host: HostName;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Key files to offer: the configured one, else the user's default identities. */
  readonly keyFiles: readonly string[];
  readonly password?: string;
  readonly becomePassword?: string;
  /** Who `become` runs commands as (sudo -u); root by default. */
  readonly becomeUser: string;
  readonly knownHostsFile: string;
  readonly acceptNewHostKeys: boolean;
  readonly connectTimeoutMs: number;
  /** ssh-agent socket (SSH_AUTH_SOCK), tried first when set. */
  readonly agentSocket?: string;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

export function sshSettings(entry: HostEntry, opts: ConnectionOptions, env = process.env): SshSettings {
  const str = (name: string): string | undefined => {
    const v = entry.vars[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw new ConfigError(`host ${entry.name}: ${name} must be a string, got ${typeof v}`);
  };
  const portText = str('ansible_port') ?? '22';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`host ${entry.name}: ansible_port must be a port number, got ${JSON.stringify(portText)}`);
  }
  // The inventory's connection variables win over the command line's -u/--private-key/-k/-K, as in Ansible.
  const keyFile = str('ansible_ssh_private_key_file') ?? opts.privateKeyFile;
  const knownHosts = str('ansible_ssh_known_hosts_file') ?? opts.knownHostsFile ?? '~/.ssh/known_hosts';
  return {
    host: entry.name,
    address: str('ansible_host') ?? entry.name,
    port,
    user: str('ansible_user') ?? opts.user ?? 'root',
    keyFiles: keyFile ? [expandHome(keyFile)] : DEFAULT_IDENTITIES.map((f) => path.join(os.homedir(), '.ssh', f)),
    password: str('ansible_password') ?? opts.password,
    becomePassword: str('ansible_become_password') ?? opts.becomePassword,
    becomeUser: str('ansible_become_user') ?? opts.becomeUser ?? 'root',
    knownHostsFile: path.resolve(expandHome(knownHosts)),
    acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10000,
    agentSocket: env.SSH_AUTH_SOCK || undefined,
  };
}
