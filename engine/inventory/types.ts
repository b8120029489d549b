// What the runner needs from an inventory, whatever file format it came from.
import type { HostName } from '../types';

export type Vars = Readonly<Record<string, unknown>>;

export interface HostEntry {
  readonly name: HostName;
  /**
   * Merged with Ansible's precedence: inventory group vars (all, then groups by depth, priority, name),
   * group_vars/ files (all first), the host's own inventory vars, host_vars/ files.
   */
  readonly vars: Vars;
  /** Every group the host belongs to, directly or through children, by depth, priority, name; 'all' first. */
  readonly groups: readonly string[];
}

/** One group as the inventory sources wrote it (what `ansible-inventory --list/--graph` shows). */
export interface GroupNode {
  readonly name: string;
  /** Direct member hosts, in the order added. */
  readonly hosts: readonly HostName[];
  /** Child groups, in the order added. */
  readonly children: readonly string[];
  /** ansible_group_priority (default 1). */
  readonly priority: number;
  /** Longest path from 'all' (0). */
  readonly depth: number;
}

export interface Inventory {
  /** The path(s) given to -i. */
  readonly source: string;
  /**
   * Every inventory host, in the order first seen. get/has also answer an implicit localhost (`localhost`,
   * `127.0.0.1`, `::1` when the inventory has no such host), which iteration does not list, as in Ansible.
   */
  readonly hosts: ReadonlyMap<HostName, HostEntry>;
  /** Each group's hosts, its children's included, in Ansible's order; 'all' and 'ungrouped' always present. */
  readonly groups: ReadonlyMap<string, readonly HostName[]>;
  /** Each group's direct hosts and children as the sources wrote them. */
  readonly tree: ReadonlyMap<string, GroupNode>;
  /** Values that came from a vault or the environment: the output redacts them everywhere. */
  readonly secrets: ReadonlySet<string>;
  /**
   * Resolve an Ansible host pattern as ansible-core does (name, group, glob, ~regex, subscripts, `a:b` /
   * `a,b`, `:&b`, `:!b`), hosts in Ansible's order. A plain name matching no host or group throws ConfigError
   * naming it (Ansible warns and ignores it).
   */
  select(pattern: string): HostName[];
  /** Check a name against the inventory: ConfigError naming the source when unknown. */
  host(name: string): HostName;
  /** Where a host's variable was set (file:line), for error messages; undefined when unknown. */
  origin(host: HostName, variable: string): string | undefined;
}

/** The typed TS inventory format: `export default defineInventory({...})` in inventory/NAME/index.ts. */
export interface InventorySpec {
  /** Variables of the 'all' group. */
  readonly vars?: Vars;
  /** Hosts outside any group (they land in 'ungrouped'), with their variables. */
  readonly hosts?: Readonly<Record<string, Vars>>;
  readonly groups?: Readonly<
    Record<
      string,
      {
        readonly hosts?: readonly string[] | Readonly<Record<string, Vars>>;
        readonly children?: readonly string[];
        readonly vars?: Vars;
      }
    >
  >;
}

export function defineInventory(spec: InventorySpec): InventorySpec {
  return spec;
}
