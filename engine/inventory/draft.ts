// The mutable inventory every source format (INI, YAML, TS) and vars file writes into, before resolution.
// Every value carries the file:line it came from, so errors and origin() can point at it.
import { ConfigError } from '../errors';
import { addressProblem, toPort } from '../validate';

export interface Located {
  readonly value: unknown;
  /** "file:line" */
  readonly origin: string;
}

/** Variables from one place (a host line, a [g:vars] section, a vars file), in definition order. */
export type VarLayer = Map<string, Located>;

export interface GroupDraft {
  readonly name: string;
  /** Direct member hosts, in the order first listed. */
  readonly hosts: string[];
  /** Child group name -> where the parent/child link was written. */
  readonly children: Map<string, string>;
  /** Variables written in the inventory source. */
  readonly vars: VarLayer;
  /** Variables from group_vars/ files (Ansible ranks these above every inventory-source group var). */
  readonly fileVars: VarLayer;
}

export interface HostDraft {
  readonly name: string;
  readonly vars: VarLayer;
  readonly fileVars: VarLayer;
  /** The first ansible_host given for this host, to catch a second, different one. */
  address?: Located;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// Letters, digits and . - _ for names and IPv4, ':' for IPv6 addresses used as names.
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

export class InventoryDraft {
  readonly groups = new Map<string, GroupDraft>();
  /** Insertion order is the inventory order. */
  readonly hosts = new Map<string, HostDraft>();
  readonly secrets = new Set<string>();

  constructor(readonly source: string) {
    this.group('all', source);
    this.group('ungrouped', source);
  }

  /** The group, created on first mention. */
  group(name: string, origin: string): GroupDraft {
    const known = this.groups.get(name);
    if (known) return known;
    if (!GROUP_NAME.test(name)) {
      throw new ConfigError(`${origin}: '${name}' is not a valid group name (letters, digits, _ . -)`);
    }
    const created: GroupDraft = { name, hosts: [], children: new Map(), vars: new Map(), fileVars: new Map() };
    this.groups.set(name, created);
    return created;
  }

  /** Declare a host (in `group` when given) with the variables written beside it. */
  addHost(name: string, origin: string, vars: VarLayer, group?: string): HostDraft {
    if (!HOST_NAME.test(name)) throw new ConfigError(`${origin}: '${name}' is not a valid host name`);
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, vars: new Map(), fileVars: new Map() };
      this.hosts.set(name, host);
    }
    this.checkVars(vars);
    this.noteAddress(host, vars);
    for (const [key, located] of vars) host.vars.set(key, located);
    if (group !== undefined) {
      const members = this.group(group, origin).hosts;
      if (!members.includes(name)) members.push(name);
    }
    return host;
  }

  addChild(parent: string, child: string, origin: string): void {
    if (child === 'all') throw new ConfigError(`${origin}: group 'all' cannot be a child of '${parent}'`);
    this.group(child, origin);
    const children = this.group(parent, origin).children;
    if (!children.has(child)) children.set(child, origin);
  }

  addGroupVars(group: string, origin: string, vars: VarLayer): void {
    this.checkVars(vars);
    const target = this.group(group, origin).vars;
    for (const [key, located] of vars) target.set(key, located);
  }

  /** Variables from a group_vars/ or host_vars/ file; unknown groups and hosts are ignored, as Ansible does. */
  addFileVars(kind: 'group' | 'host', name: string, vars: VarLayer): void {
    const target = kind === 'group' ? this.groups.get(name) : this.hosts.get(name);
    if (!target) return;
    this.checkVars(vars);
    if (kind === 'host') this.noteAddress(target as HostDraft, vars);
    for (const [key, located] of vars) target.fileVars.set(key, located);
  }

  /** Names and the connection variables a wrong value would send to the wrong place, checked where they enter. */
  private checkVars(vars: VarLayer): void {
    for (const [key, { value, origin }] of vars) {
      if (!VAR_NAME.test(key)) throw new ConfigError(`${origin}: '${key}' is not a valid variable name`);
      if (key === 'ansible_host') {
        const problem = addressProblem(value);
        if (problem !== undefined) throw new ConfigError(`${origin}: ansible_host ${problem}`);
      }
      if (key === 'ansible_port' && toPort(value) === undefined) {
        throw new ConfigError(`${origin}: ansible_port '${String(value)}' is not a port (1..65535)`);
      }
    }
  }

  private noteAddress(host: HostDraft, vars: VarLayer): void {
    const address = vars.get('ansible_host');
    if (!address) return;
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
