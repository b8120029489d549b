// What the runner needs from an inventory, whatever file format it came from.
import type { HostName } from '../types';

export type Vars = Readonly<Record<string, unknown>>;

export interface HostEntry {
  readonly name: HostName;
  /** Merged with Ansible's precedence: all < parent groups < child groups (by depth, then name) < host. */
  readonly vars: Vars;
  /** Every group the host belongs to, directly or through children; includes 'all'. */
  readonly groups: readonly string[];
}

export interface Inventory {
  /** The path given to -i. */
  readonly source: string;
  readonly hosts: ReadonlyMap<HostName, HostEntry>;
  /** Each group's hosts, its children's included; 'all' and 'ungrouped' always present. Inventory order. */
  readonly groups: ReadonlyMap<string, readonly HostName[]>;
  /** Values that came from a vault or the environment: the output redacts them everywhere. */
  readonly secrets: ReadonlySet<string>;
  /**
   * Resolve an Ansible host pattern: name, group, glob (`vprotect*`), `a:b` / `a,b` union, `a:!b`, `a:&b`.
   * An unknown host or group name throws ConfigError naming it.
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
