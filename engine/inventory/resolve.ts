// Draft -> resolved groups and per-host variables, with Ansible's rules: reconcile (every group without a
// parent under 'all', 'ungrouped' holding exactly the hosts in no other group), membership through children
// (no cycles), each group's hosts in Group.get_hosts() order, and VariableManager's precedence.
import { ConfigError } from '../errors';
import type { HostName } from '../types';
import { addressProblem, toPort } from '../validate';
import type { GroupDraft, InventoryDraft, Located, VarLayer } from './draft';
import { DeferredSecret } from './secret-values';
import type { GroupNode, HostEntry } from './types';

export interface ResolvedHost {
  readonly entry: HostEntry;
  /** variable -> "file:line" of the winning value. */
  readonly origins: Map<string, string>;
}

export interface ResolvedInventory {
  readonly hosts: Map<HostName, ResolvedHost>;
  /** Each group's hosts, its children's included, in Ansible's order; all and ungrouped included. */
  readonly groups: Map<string, HostName[]>;
  readonly tree: Map<string, GroupNode>;
  /** The implicit localhost Ansible makes for a `localhost`/`127.0.0.1`/`::1` pattern nothing else matches. */
  implicitHost(name: HostName): ResolvedHost;
}

/** Ansible's reconcile_inventory, once every source is read (running it again changes nothing). */
function reconcile(draft: InventoryDraft): void {
  rejectCycles(draft);
  for (const group of draft.groups.values()) {
    if (group.name !== 'all' && group.parents.length === 0) draft.addChild('all', group.name, group.origin);
  }
  const ungrouped = draft.groups.get('ungrouped')!;
  const parents = (name: string): readonly string[] => draft.groups.get(name)?.parents ?? [];
  for (const host of draft.hosts.values()) {
    const mine = groupsOf(draft, host.name, parents);
    if (mine.has('ungrouped')) {
      const at = ungrouped.hosts.indexOf(host.name);
      if (at >= 0 && [...mine].some((g) => g !== 'all' && g !== 'ungrouped')) ungrouped.hosts.splice(at, 1);
    } else if (mine.size <= 1) {
      ungrouped.hosts.push(host.name);
    }
  }
}

export function resolveDraft(draft: InventoryDraft): ResolvedInventory {
  reconcile(draft);
  const depth = depthsOf(draft);
  const rank = (g: GroupDraft): readonly [number, number, string] => [depth.get(g.name) ?? 0, g.priority?.value ?? 1, g.name];
  const sorted = (names: Iterable<string>): GroupDraft[] =>
    [...names].map((n) => draft.groups.get(n)!).sort((a, b) => compareRank(rank(a), rank(b)));
  const all = draft.groups.get('all')!;
  const sources = Math.max(0, ...[...draft.groups.values(), ...draft.hosts.values()].map((x) => x.fileVars.length));
  const perSource = (layers: readonly VarLayer[]): VarLayer[] => Array.from({ length: sources }, (_, i) => layers[i] ?? new Map());
  const parents = (name: string): readonly string[] => draft.groups.get(name)?.parents ?? [];

  const hosts = new Map<HostName, ResolvedHost>();
  for (const host of draft.hosts.values()) {
    const groups = sorted(groupsOf(draft, host.name, parents));
    const own = groups.filter((g) => g.name !== 'all');
    // VariableManager.get_vars: inventory group vars (all first), group_vars/ files (all first, source by
    // source), the host's inventory vars, then host_vars/ files.
    const layers: VarLayer[] = [all.vars, ...own.map((g) => g.vars), ...perSource(all.fileVars)];
    for (let source = 0; source < sources; source++) for (const g of own) layers.push(g.fileVars[source] ?? new Map());
    layers.push(host.vars, ...perSource(host.fileVars));
    hosts.set(host.name as HostName, entryOf(host.name as HostName, groups.map((g) => g.name), layers));
  }

  const groups = new Map<string, HostName[]>();
  const tree = new Map<string, GroupNode>();
  for (const group of draft.groups.values()) {
    groups.set(group.name, hostsOfGroup(draft, group.name) as HostName[]);
    tree.set(group.name, {
      name: group.name,
      hosts: group.hosts as HostName[],
      children: [...group.children.keys()],
      priority: group.priority?.value ?? 1,
      depth: depth.get(group.name) ?? 0,
    });
  }

  let implicit: ResolvedHost | undefined;
  const implicitHost = (name: HostName): ResolvedHost => {
    // Ansible creates one implicit localhost, named by the first pattern that needed it, in no group; it
    // sees 'all' vars and group_vars/all, then its own defaults and host_vars/NAME.
    implicit ??= entryOf(name, [], [
      all.vars,
      ...perSource(all.fileVars),
      new Map([['ansible_connection', { value: 'local', origin: 'the implicit localhost' }]]),
      ...perSource(draft.implicitFileVars.get(name) ?? []),
    ]);
    return implicit;
  };
  return { hosts, groups, tree, implicitHost };
}

function entryOf(name: HostName, groups: readonly string[], layers: readonly VarLayer[]): ResolvedHost {
  const merged = new Map<string, Located>();
  for (const layer of layers) for (const [key, located] of layer) merged.set(key, located);
  checkConnectionVars(merged);
  return {
    entry: { name, vars: Object.fromEntries([...merged].map(([key, located]) => [key, located.value])), groups },
    origins: new Map([...merged].map(([key, located]) => [key, located.origin])),
  };
}

/**
 * Deliberately stricter than Ansible: the address and port a host will be contacted on are checked where
 * they are set, so a typo stops the run naming its file:line instead of sending SSH to a wrong place.
 */
function checkConnectionVars(vars: ReadonlyMap<string, Located>): void {
  const address = vars.get('ansible_host');
  if (address && !(address.value instanceof DeferredSecret)) {
    const problem = addressProblem(address.value);
    if (problem !== undefined) throw new ConfigError(`${address.origin}: ansible_host ${problem}`);
  }
  const port = vars.get('ansible_port');
  if (port && !(port.value instanceof DeferredSecret) && toPort(port.value) === undefined) {
    throw new ConfigError(`${port.origin}: ansible_port '${String(port.value)}' is not a port (1..65535)`);
  }
}

function compareRank(a: readonly [number, number, string], b: readonly [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** Every group listing the host directly, and all their ancestors. */
function groupsOf(draft: InventoryDraft, host: string, parents: (name: string) => readonly string[]): Set<string> {
  const found = new Set<string>();
  const climb = (name: string): void => {
    if (found.has(name)) return;
    found.add(name);
    parents(name).forEach(climb);
  };
  for (const group of draft.groups.values()) if (group.hosts.includes(host)) climb(group.name);
  return found;
}

/**
 * Group.get_hosts(): the group's own hosts, then its children's, then theirs, level by level. (Within a level
 * Ansible walks a Python set, so its order there follows object addresses; this takes the children's order.)
 */
export function hostsOfGroup(draft: InventoryDraft, name: string): string[] {
  const children = (g: string): string[] => [...(draft.groups.get(g)?.children.keys() ?? [])];
  const ordered = [name, ...children(name)];
  const seen = new Set<string>();
  let level = [...new Set(ordered)];
  while (level.length > 0) {
    level.forEach((g) => seen.add(g));
    const next: string[] = [];
    for (const g of level) {
      for (const child of children(g)) {
        if (!next.includes(child)) next.push(child);
        if (!seen.has(child)) ordered.push(child);
      }
    }
    level = next.filter((g) => !seen.has(g));
  }
  const hosts: string[] = [];
  const taken = new Set<string>();
  for (const g of ordered) {
    for (const h of draft.groups.get(g)?.hosts ?? []) {
      if (taken.has(h)) continue;
      taken.add(h);
      hosts.push(h);
    }
  }
  return hosts;
}

function rejectCycles(draft: InventoryDraft): void {
  const done = new Set<string>();
  const visit = (name: string, path: readonly string[]): void => {
    if (done.has(name)) return;
    for (const [child, origin] of draft.groups.get(name)?.children ?? []) {
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

/** 'all' is 0; a group is one deeper than its deepest parent (Ansible's Group.depth; acyclic by now). */
function depthsOf(draft: InventoryDraft): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const of = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const parents = draft.groups.get(name)?.parents ?? [];
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(of));
    depth.set(name, value);
    return value;
  };
  for (const name of draft.groups.keys()) of(name);
  return depth;
}
