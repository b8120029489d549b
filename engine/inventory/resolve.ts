// Draft -> resolved groups and per-host variables, with Ansible's rules: every group under 'all',
// children to any depth (no cycles), membership through children, 'ungrouped', and variable precedence.
import { ConfigError } from '../errors';
import type { HostName } from '../types';
import type { GroupDraft, InventoryDraft, Located, VarLayer } from './draft';
import type { HostEntry } from './types';

export interface ResolvedInventory {
  readonly hosts: Map<HostName, HostEntry>;
  readonly groups: Map<string, HostName[]>;
  /** host -> variable -> "file:line" of the winning value. */
  readonly origins: Map<HostName, Map<string, string>>;
}

export function resolveDraft(draft: InventoryDraft): ResolvedInventory {
  const parents = parentsOf(draft);
  rejectCycles(draft);
  const depth = depthsOf(draft, parents);
  const rank = (name: string): readonly [number, number, string] => [depth.get(name) ?? 0, priorityOf(draft.groups.get(name)), name];

  const memberships = new Map<string, string[]>();
  for (const host of draft.hosts.keys()) memberships.set(host, groupsOfHost(draft, parents, host));

  const hosts = new Map<HostName, HostEntry>();
  const origins = new Map<HostName, Map<string, string>>();
  for (const [name, hostDraft] of draft.hosts) {
    const groupNames = [...(memberships.get(name) ?? [])].sort((a, b) => compareRank(rank(a), rank(b)));
    const groupDrafts = groupNames.map((g) => draft.groups.get(g)).filter((g): g is GroupDraft => g !== undefined);
    // Ansible's order: inventory-source group vars, then group_vars/ files, then host line, then host_vars/.
    const layers: VarLayer[] = [
      ...groupDrafts.map((g) => g.vars),
      ...groupDrafts.map((g) => g.fileVars),
      hostDraft.vars,
      hostDraft.fileVars,
    ];
    const merged = mergeLayers(layers);
    const hostName = name as HostName;
    hosts.set(hostName, {
      name: hostName,
      vars: Object.fromEntries([...merged].map(([key, located]) => [key, located.value])),
      groups: groupNames,
    });
    origins.set(hostName, new Map([...merged].map(([key, located]) => [key, located.origin])));
  }

  const groups = new Map<string, HostName[]>();
  for (const group of draft.groups.keys()) {
    groups.set(
      group,
      [...hosts.values()].filter((h) => h.groups.includes(group)).map((h) => h.name),
    );
  }
  return { hosts, groups, origins };
}

function mergeLayers(layers: readonly VarLayer[]): Map<string, Located> {
  const merged = new Map<string, Located>();
  for (const layer of layers) for (const [key, located] of layer) merged.set(key, located);
  return merged;
}

function compareRank(a: readonly [number, number, string], b: readonly [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** ansible_group_priority breaks ties between groups of the same depth (default 1, higher wins). */
function priorityOf(group: GroupDraft | undefined): number {
  const value = group?.fileVars.get('ansible_group_priority')?.value ?? group?.vars.get('ansible_group_priority')?.value;
  return typeof value === 'number' ? value : 1;
}

/** Each group's parents; a group nobody names as a child hangs under 'all'. */
function parentsOf(draft: InventoryDraft): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const name of draft.groups.keys()) parents.set(name, []);
  for (const [name, group] of draft.groups) {
    for (const child of group.children.keys()) parents.get(child)?.push(name);
  }
  for (const [name, list] of parents) if (name !== 'all' && list.length === 0) list.push('all');
  return parents;
}

function rejectCycles(draft: InventoryDraft): void {
  const done = new Set<string>();
  const visit = (name: string, path: readonly string[]): void => {
    if (done.has(name)) return;
    const group = draft.groups.get(name);
    for (const [child, origin] of group?.children ?? []) {
      if (path.includes(child)) {
        const cycle = [...path.slice(path.indexOf(child)), child].join(' -> ');
        throw new ConfigError(`${origin}: group cycle: ${cycle}`);
      }
      visit(child, [...path, child]);
    }
    done.add(name);
  };
  for (const name of draft.groups.keys()) visit(name, [name]);
}

/** 'all' is 0; a group is one deeper than its deepest parent (the graph is acyclic by now). */
function depthsOf(draft: InventoryDraft, parents: Map<string, string[]>): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const of = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const value = 1 + Math.max(...(parents.get(name) ?? ['all']).map(of));
    depth.set(name, value);
    return value;
  };
  for (const name of draft.groups.keys()) of(name);
  return depth;
}

/** 'all', every group that lists the host, and their ancestors; 'ungrouped' when no real group does. */
function groupsOfHost(draft: InventoryDraft, parents: Map<string, string[]>, host: string): string[] {
  const direct = [...draft.groups.values()].filter((g) => g.hosts.includes(host)).map((g) => g.name);
  const found = new Set<string>(['all']);
  const climb = (name: string): void => {
    if (found.has(name)) return;
    found.add(name);
    for (const parent of parents.get(name) ?? []) climb(parent);
  };
  direct.forEach(climb);
  if (![...found].some((g) => g !== 'all' && g !== 'ungrouped')) found.add('ungrouped');
  return [...found];
}
