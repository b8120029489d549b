// The connection factory: local hosts run through child_process, every other host over SSH.
import type { HostEntry } from '../inventory/types';
import type { Connection } from '../types';
import { ConfigError } from '../errors';
import { LocalConnection } from './local';
import { SshConnection } from './ssh';
import { sshSettings, type ConnectionOptions } from './ssh-settings';

export type { ConnectionOptions } from './ssh-settings';
export { SshConnection } from './ssh';

/** A connection for the host; lazy: nothing is contacted before its first exec/put/get. */
export function openConnection(entry: HostEntry, opts: ConnectionOptions): Connection {
  const kind = entry.vars['ansible_connection'] ?? 'ssh';
  if (kind === 'local') return new LocalConnection(entry.name);
  if (kind === 'ssh' || kind === 'paramiko' || kind === 'smart') return new SshConnection(sshSettings(entry, opts));
  throw new ConfigError(`host ${entry.name}: ansible_connection ${JSON.stringify(kind)} is not supported (use ssh or local)`);
}
