// The Inventory the runner uses, over a resolved draft; it owns Ansible's implicit localhost.
import { ConfigError } from '../errors';
import type { HostName } from '../types';
import { IMPLICIT_HOSTS, type InventoryDraft } from './draft';
import { excerpt } from './excerpt';
import { selectHosts } from './patterns';
import { hidingSecrets } from './secret-values';
import { resolveDraft, type ResolvedHost } from './resolve';
import type { HostEntry, Inventory } from './types';

/**
 * The inventory's hosts; get/has also know the implicit localhost (created on first use, as Ansible's
 * get_host does), which iteration and size leave out, as Ansible's `hosts` and `all` leave it out.
 */
class HostTable extends Map<HostName, HostEntry> {
  constructor(
    entries: Iterable<readonly [HostName, HostEntry]>,
    private readonly implicit: (name: string) => HostEntry | undefined,
  ) {
    super(entries);
  }

  override get(name: HostName): HostEntry | undefined {
    return super.get(name) ?? this.implicit(name);
  }

  override has(name: HostName): boolean {
    return super.has(name) || this.implicit(name) !== undefined;
  }
}

export function inventoryFromDraft(draft: InventoryDraft): Inventory {
  // Its checks quote values (a bad ansible_host): one from a vault or the environment must not show.
  const resolved = hidingSecrets(draft.secrets, () => resolveDraft(draft));
  const explicitHosts = [...resolved.hosts.keys()];
  // An inventory host named localhost/127.0.0.1/::1 stands in for the others (Ansible's inventory.localhost).
  const explicitLocal = explicitHosts.find((h) => IMPLICIT_HOSTS.includes(h));
  let implicit: ResolvedHost | undefined;
  const localhost = (name: string): HostName | undefined => {
    if (!IMPLICIT_HOSTS.includes(name)) return undefined;
    if (explicitLocal !== undefined) return explicitLocal;
    implicit ??= resolved.implicitHost(name as HostName);
    return implicit.entry.name;
  };
  const implicitEntry = (name: string): HostEntry | undefined => {
    if (explicitLocal !== undefined || !IMPLICIT_HOSTS.includes(name)) return undefined;
    localhost(name);
    return implicit?.entry.name === name ? implicit.entry : undefined;
  };
  const hosts = new HostTable([...resolved.hosts].map(([name, r]) => [name, r.entry] as const), implicitEntry);
  const index = { source: draft.source, hosts: explicitHosts, groups: resolved.groups, localhost };
  return {
    source: draft.source,
    hosts,
    groups: resolved.groups as ReadonlyMap<string, readonly HostName[]>,
    tree: resolved.tree,
    secrets: new Set(draft.secrets),
    select: (pattern: string) => selectHosts(pattern, index),
    host(name: string): HostName {
      if (resolved.hosts.has(name as HostName)) return name as HostName;
      const local = localhost(name);
      if (local !== undefined) return local;
      const known = explicitHosts.join(', ');
      throw new ConfigError(`no host named '${excerpt(name)}' in ${draft.source} (hosts: ${known})`);
    },
    origin: (host: HostName, variable: string) =>
      (resolved.hosts.get(host) ?? (implicit?.entry.name === host ? implicit : undefined))?.origins.get(variable),
  };
}
