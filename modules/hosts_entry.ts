// hosts_entry: /etc/hosts made right for a cluster, touching only what must change: the host's own
// name off loopback lines (the how-to's "delete 127.0.0.1 <hostname>") and `IP name [aliases]` lines.
import { isIP } from 'node:net';
import { ConfigError } from '../engine/errors';
import { defineTextEditor, type EditorCall, type EditResult } from './lib/edit-file';
import { absolutePath } from './lib/params';
import { editHosts, type HostsEdit, type HostsEntry } from './lib/text/hosts-edit';

export interface HostsEntryParams {
  /** Default /etc/hosts. */
  readonly path?: string;
  /** Names to remove from 127.0.0.0/8 and ::1 lines, e.g. [facts.hostname]. */
  readonly removeFromLoopback?: readonly string[];
  /** `IP name [aliases]` lines to have; their names also leave loopback lines and other addresses. */
  readonly entries?: readonly HostsEntry[];
}

export type HostsEntryResult = EditResult;

const NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function toEdit(p: HostsEntryParams): EditorCall<HostsEdit> {
  const path = absolutePath(p.path ?? '/etc/hosts', 'hosts_entry');
  const entries = p.entries ?? [];
  const remove = p.removeFromLoopback ?? [];
  if (!entries.length && !remove.length) throw new ConfigError('hosts_entry: give entries and/or removeFromLoopback');
  for (const n of [...remove, ...entries.flatMap((e) => e.names)]) {
    if (!NAME.test(n)) throw new ConfigError(`hosts_entry: ${JSON.stringify(n)} is not a valid host name`);
  }
  for (const e of entries) {
    if (!isIP(e.ip)) throw new ConfigError(`hosts_entry: ${JSON.stringify(e.ip)} is not an IP address`);
    if (!e.names.length) throw new ConfigError(`hosts_entry: entry ${e.ip} has no names`);
  }
  const owners = new Map<string, string>();
  for (const e of entries) {
    for (const n of e.names) {
      const prev = owners.get(n.toLowerCase());
      if (prev && prev !== e.ip) throw new ConfigError(`hosts_entry: ${n} is given for both ${prev} and ${e.ip}`);
      owners.set(n.toLowerCase(), e.ip);
    }
  }
  return { target: { path, create: false }, edit: { removeFromLoopback: remove, entries } };
}

export const hostsEntry = defineTextEditor<HostsEntryParams, HostsEdit>({
  name: 'hosts_entry',
  describe: (p) =>
    `hosts_entry ${[...(p.removeFromLoopback ?? []).map((n) => `-127.0.0.1 ${n}`), ...(p.entries ?? []).map((e) => `${e.ip} ${e.names.join(' ')}`)].join(', ')}`,
  preflight: toEdit,
  apply: editHosts,
});
