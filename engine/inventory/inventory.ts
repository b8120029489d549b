// The Inventory the runner uses, over a resolved draft.
import { ConfigError } from '../errors';
import type { HostName } from '../types';
import type { InventoryDraft } from './draft';
import { selectHosts } from './patterns';
import { resolveDraft } from './resolve';
import type { HostEntry, Inventory } from './types';

export function inventoryFromDraft(draft: InventoryDraft): Inventory {
  const { hosts, groups, origins } = resolveDraft(draft);
  const index = { source: draft.source, hosts: [...hosts.keys()], groups };
  return {
    source: draft.source,
    hosts: hosts as ReadonlyMap<HostName, HostEntry>,
    groups: groups as ReadonlyMap<string, readonly HostName[]>,
    secrets: new Set(draft.secrets),
    select: (pattern: string) => selectHosts(pattern, index),
    host(name: string): HostName {
      if (hosts.has(name as HostName)) return name as HostName;
      const known = [...hosts.keys()].join(', ');
      throw new ConfigError(`no host named '${name}' in ${draft.source} (hosts: ${known})`);
    },
    origin: (host: HostName, variable: string) => origins.get(host)?.get(variable),
  };
}
