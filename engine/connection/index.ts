// The connection factory: local hosts run through child_process, every other host over SSH. Who owns what here:
//   framing.ts         the wire format of a command: script, sudo wrapping, exec and shell requests, markers, parsers
//   ssh.ts             one ssh2 connection per host: which command goes to the shell or an exec channel, channels
//   command-shell.ts   the long-lived shell's streams; channel-run.ts an exec channel's streams, stdin, timeout
//   channel-gate.ts    sshd's session limit; ssh-files.ts put/get (SFTP, or sudo); ssh-client.ts the handshake
//   ssh-settings.ts    a host's SSH settings from its inventory vars; ssh-auth.ts the auth methods
//   known-hosts.ts     host key checks; ssh2-lazy.ts loads ssh2 on the first connection
//   local.ts           ansible_connection=local, with framing.ts's script and wrapping
//   (the scripted hosts of the unit specs are spec/support/fake-connection.ts)
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
  if (kind === 'local') {
    const becomeUser = entry.vars['ansible_become_user'] ?? opts.becomeUser;
    return new LocalConnection(entry.name, typeof becomeUser === 'string' ? becomeUser : 'root');
  }
  if (kind === 'ssh' || kind === 'paramiko' || kind === 'smart') return new SshConnection(sshSettings(entry, opts));
  throw new ConfigError(`host ${entry.name}: ansible_connection ${JSON.stringify(kind)} is not supported (use ssh or local)`);
}
