// The mutable inventory every source (INI, YAML, host list, TS) and vars file writes into before resolution,
// shaped as Ansible's InventoryData: groups and hosts in the order first seen, each group's direct hosts and
// child groups in the order added, 'all' and 'ungrouped' from the start (ungrouped the first child of all).
// Every value carries the file:line it came from, so errors and origin() can point at it.
import { ConfigError } from '../errors';
import { excerpt } from './excerpt';

export interface Located {
  readonly value: unknown;
  /** "file:line" */
  readonly origin: string;
}

/** Variables from one place (a host line, a [g:vars] section, a vars file), in definition order. */
export type VarLayer = Map<string, Located>;

export interface GroupDraft {
  readonly name: string;
  readonly origin: string;
  /** Direct member hosts, in the order added. */
  readonly hosts: string[];
  /** Child groups in the order added (Ansible's child_groups), and where each link was written. */
  readonly children: Map<string, string>;
  readonly parents: string[];
  /** Variables written in the inventory sources. */
  readonly vars: VarLayer;
  /** ansible_group_priority from an inventory source (Ansible makes it the group's priority, not a variable). */
  priority?: { readonly value: number; readonly origin: string };
  /** group_vars/ files, one layer per inventory source (index = source order). */
  readonly fileVars: VarLayer[];
}

export interface HostDraft {
  readonly name: string;
  readonly origin: string;
  readonly vars: VarLayer;
  /** host_vars/ files, one layer per inventory source. */
  readonly fileVars: VarLayer[];
  /** The first ansible_host an inventory source gave this host, to catch a second, different one. */
  address?: Located;
}

/** Names a pattern can match as Ansible's implicit localhost when the inventory does not define them. */
export const IMPLICIT_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Names host patterns can address: no whitespace, quotes or pattern syntax (, : ! & [ ] * ? ~ @).
const GROUP_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u;
const HOST_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.:-]*$/u;

export class InventoryDraft {
  readonly groups = new Map<string, GroupDraft>();
  /** Insertion order is the inventory order. */
  readonly hosts = new Map<string, HostDraft>();
  readonly secrets = new Set<string>();
  /** host_vars/ layers (per source) for the names of an implicit localhost (localhost, 127.0.0.1, ::1). */
  readonly implicitFileVars = new Map<string, VarLayer[]>();

  constructor(readonly source: string) {
    this.group('all', source);
    this.group('ungrouped', source);
    this.addChild('all', 'ungrouped', source);
  }

  /** The group, created on first mention. */
  group(name: string, origin: string): GroupDraft {
    const known = this.groups.get(name);
    if (known) return known;
    if (!GROUP_NAME.test(name)) {
      throw new ConfigError(`${origin}: '${excerpt(name)}' is not a valid group name (letters, digits, _ . -)`);
    }
    const created: GroupDraft = { name, origin, hosts: [], children: new Map(), parents: [], vars: new Map(), fileVars: [] };
    this.groups.set(name, created);
    return created;
  }

  /**
   * Ansible's add_host + set_variable: the host is created on first mention (with `port` as ansible_port only
   * then), joins `group`, and the variables written beside it are set in order.
   */
  addHost(name: string, origin: string, vars: VarLayer, group?: string, port?: number): HostDraft {
    if (!HOST_NAME.test(name)) throw new ConfigError(`${origin}: '${excerpt(name)}' is not a valid host name`);
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, origin, vars: new Map(), fileVars: [] };
      this.hosts.set(name, host);
      if (port !== undefined) host.vars.set('ansible_port', { value: port, origin });
    }
    if (group !== undefined) {
      const members = this.group(group, origin).hosts;
      if (!members.includes(name)) members.push(name);
    }
    checkNames(vars);
    this.noteAddress(host, vars);
    for (const [key, located] of vars) host.vars.set(key, located);
    return host;
  }

  addChild(parent: string, child: string, origin: string): void {
    if (child === 'all') throw new ConfigError(`${origin}: group 'all' cannot be a child of '${parent}'`);
    if (child === parent) throw new ConfigError(`${origin}: group '${parent}' cannot be a child of itself`);
    const childGroup = this.group(child, origin);
    const children = this.group(parent, origin).children;
    if (children.has(child)) return;
    children.set(child, origin);
    if (!childGroup.parents.includes(parent)) childGroup.parents.push(parent);
  }

  /** Group variables from an inventory source; ansible_group_priority sets the group's priority instead. */
  addGroupVars(group: string, origin: string, vars: VarLayer): void {
    checkNames(vars);
    const target = this.group(group, origin);
    for (const [key, located] of vars) {
      if (key === 'ansible_group_priority') target.priority = { value: priorityOf(located), origin: located.origin };
      else target.vars.set(key, located);
    }
  }

  /** Variables from a group_vars/ or host_vars/ file of inventory source `sourceIndex`. */
  addFileVars(kind: 'group' | 'host', name: string, sourceIndex: number, vars: VarLayer): void {
    const target = kind === 'group' ? this.groups.get(name) : this.hosts.get(name);
    const layers = target?.fileVars ?? (kind === 'host' && IMPLICIT_HOSTS.includes(name) ? this.implicitLayers(name) : undefined);
    if (!layers) return;
    checkNames(vars);
    const layer = (layers[sourceIndex] ??= new Map());
    for (const [key, located] of vars) layer.set(key, located);
  }

  private implicitLayers(name: string): VarLayer[] {
    let layers = this.implicitFileVars.get(name);
    if (!layers) this.implicitFileVars.set(name, (layers = []));
    return layers;
  }

  /** A host listed twice in the sources with two different addresses is refused (Ansible keeps the last). */
  private noteAddress(host: HostDraft, vars: VarLayer): void {
    const address = vars.get('ansible_host');
    if (!address || typeof address.value !== 'string') return;
    if (!host.address) {
      host.address = address;
      return;
    }
    if (host.address.value !== address.value) {
      throw new ConfigError(
        `${address.origin}: host '${host.name}' has conflicting addresses: ` +
          `'${String(host.address.value)}' at ${host.address.origin} and '${String(address.value)}' at ${address.origin}`,
      );
    }
  }
}

/** Variable names must be identifiers: a name like foo-bar cannot be used by a role (Ansible accepts it). */
function checkNames(vars: VarLayer): void {
  for (const [key, { origin }] of vars) {
    if (!VAR_NAME.test(key)) throw new ConfigError(`${origin}: '${excerpt(key)}' is not a valid variable name`);
  }
}

/** Python's int(value), as Ansible applies it to ansible_group_priority. */
function priorityOf({ value, origin }: Located): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[-+]?[0-9](?:_?[0-9])*\s*$/.test(value)) return Number(value.trim().replace(/_/g, ''));
  throw new ConfigError(`${origin}: ansible_group_priority must be a whole number, got ${excerpt(JSON.stringify(value) ?? String(value))}`);
}
