// Pacemaker's own offline tools on CIB files, with their XML answers parsed: cibadmin (an empty CIB with
// nodes), crm_attribute (node attributes the agents would set), crm_simulate (a transition, its graph) and
// crm_mon (where every resource runs). No cluster, no daemons: everything reads and writes files.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../../modules/lib/xml';

const onFile = (file: string): NodeJS.ProcessEnv => ({ ...process.env, CIB_file: file, LC_ALL: 'C' });

/** `cibadmin --empty` plus the nodes, as LAB.md's "Offline checks" make it. */
export function emptyCib(file: string, nodes: readonly string[]): void {
  writeFileSync(file, execFileSync('cibadmin', ['--empty']));
  nodes.forEach((uname, i) => {
    execFileSync('cibadmin', ['-C', '-o', 'nodes', '-X', `<node id="${i + 1}" uname="${uname}"/>`], { env: onFile(file) });
  });
}

/**
 * A node attribute: `reboot` is a transient one in the status section (what agents set at run time: the
 * DRBD agent's master-RES promotion score, ping's pingd); it needs the node's state, i.e. a file that went
 * through one simulated transition. `forever` is a permanent one in the nodes section (e.g. standby).
 */
export function setNodeAttribute(file: string, node: string, name: string, value: string | number, lifetime: 'reboot' | 'forever'): void {
  execFileSync('crm_attribute', ['-N', node, '-l', lifetime, '-n', name, '-v', String(value)], { env: onFile(file) });
}

export interface SimulateOptions {
  /** Nodes brought online (`-u`). */
  readonly up?: readonly string[];
  /** Nodes that fail hard (`--node-fail`). */
  readonly fail?: readonly string[];
  /** Pretend the cluster has quorum (`-q 1`): without it a fresh two-node CIB blocks everything. */
  readonly quorum?: boolean;
  /** Write the transition graph of this transition here (`-G`). */
  readonly graph?: string;
}

/** `crm_simulate -x IN -S ... -O OUT`: run one transition and save the resulting cluster state. */
export function simulate(input: string, output: string, o: SimulateOptions = {}): void {
  const args = ['-x', input, '-S', '-O', output];
  if (o.quorum) args.push('-q', '1');
  for (const n of o.up ?? []) args.push('-u', n);
  for (const n of o.fail ?? []) args.push('--node-fail', n);
  if (o.graph) args.push('-G', o.graph);
  const r = spawnSync('crm_simulate', args, { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`crm_simulate ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
}

/** One running (or stopped) instance of a primitive, as crm_mon reports it. */
export interface Placement {
  readonly resource: string;
  readonly agent: string;
  /** Started, Promoted, Unpromoted, Stopped. */
  readonly role: string;
  readonly nodes: readonly string[];
  /** The clone or group it sits in. */
  readonly parent?: { readonly kind: 'clone' | 'group'; readonly id: string; readonly promotable: boolean };
}

export interface ClusterState {
  readonly online: readonly string[];
  readonly placements: readonly Placement[];
  /** Group id -> member primitive ids, in order. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

function primitives(el: XmlElement, parent: Placement['parent']): Placement[] {
  return childrenNamed(el, 'resource').map((r) => ({
    resource: r.attrs['id']!,
    agent: r.attrs['resource_agent']!,
    role: r.attrs['role']!,
    nodes: childrenNamed(r, 'node').map((n) => n.attrs['name']!),
    ...(parent ? { parent } : {}),
  }));
}

/** `crm_mon -1 --output-as=xml` on a saved state: nodes online and every primitive's placement. */
export function clusterState(file: string): ClusterState {
  const xml = parseXml(execFileSync('crm_mon', ['-1', '--output-as=xml'], { env: onFile(file), encoding: 'utf8' }));
  const online = childrenNamed(childNamed(xml, 'nodes')!, 'node')
    .filter((n) => n.attrs['online'] === 'true')
    .map((n) => n.attrs['name']!);
  const resources = childNamed(xml, 'resources')!;
  const placements: Placement[] = primitives(resources, undefined);
  const groups = new Map<string, string[]>();
  const addGroup = (g: XmlElement, inClone?: Placement['parent']): void => {
    const list = primitives(g, inClone ?? { kind: 'group', id: g.attrs['id']!, promotable: false });
    groups.set(g.attrs['id']!, [...new Set(list.map((p) => p.resource))]);
    placements.push(...list);
  };
  for (const g of childrenNamed(resources, 'group')) addGroup(g);
  for (const c of childrenNamed(resources, 'clone')) {
    const parent = { kind: 'clone' as const, id: c.attrs['id']!, promotable: c.attrs['multi_state'] === 'true' };
    placements.push(...primitives(c, parent));
    for (const g of childrenNamed(c, 'group')) addGroup(g, parent);
  }
  return { online, placements, groups };
}

/** Nodes a primitive runs on in the given role (any active role when omitted). */
export function runningOn(s: ClusterState, resource: string, role?: string): string[] {
  return s.placements
    .filter((p) => p.resource === resource && p.role !== 'Stopped' && (role === undefined || p.role === role))
    .flatMap((p) => p.nodes)
    .sort();
}

/** One action of a transition graph: a resource operation on a node, or a pseudo event (clone/group milestones). */
export interface GraphAction {
  readonly id: string;
  readonly operation: string;
  /** The primitive for resource operations; the operation key (e.g. fs_group_start_0) for pseudo events. */
  readonly resource: string;
  readonly node?: string;
  /** Ids of the actions that must complete first. */
  readonly inputs: readonly string[];
}

export class TransitionGraph {
  readonly actions: ReadonlyMap<string, GraphAction>;

  constructor(xmlText: string) {
    const actions = new Map<string, GraphAction>();
    for (const syn of childrenNamed(parseXml(xmlText), 'synapse')) {
      const a = childNamed(syn, 'action_set')!.children[0]!;
      const prim = childNamed(a, 'primitive');
      const inputs = childNamed(syn, 'inputs')?.children.flatMap((t) => t.children.map((x) => x.attrs['id']!)) ?? [];
      actions.set(a.attrs['id']!, {
        id: a.attrs['id']!,
        operation: a.attrs['operation']!,
        resource: prim?.attrs['id'] ?? a.attrs['operation_key']!,
        ...(a.attrs['on_node'] ? { node: a.attrs['on_node'] } : {}),
        inputs,
      });
    }
    this.actions = actions;
  }

  /** The single action `operation` of `resource` on `node`; throws when absent, so a missing step fails loudly. */
  find(operation: string, resource: string, node: string): GraphAction {
    const hits = [...this.actions.values()].filter((a) => a.operation === operation && a.resource === resource && a.node === node);
    if (hits.length !== 1) throw new Error(`the transition has ${hits.length} '${operation} ${resource}' actions on ${node}`);
    return hits[0]!;
  }

  /** Does `later` wait (directly or through other actions) for `earlier`? */
  waitsFor(later: GraphAction, earlier: GraphAction): boolean {
    const seen = new Set<string>();
    const todo = [...later.inputs];
    while (todo.length) {
      const id = todo.pop()!;
      if (id === earlier.id) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      todo.push(...(this.actions.get(id)?.inputs ?? []));
    }
    return false;
  }
}

/** An instance attribute of a configured resource (`crm_resource -r ID -g NAME`). */
export function resourceParameter(file: string, resource: string, name: string): string {
  return execFileSync('crm_resource', ['-r', resource, '-g', name], { env: onFile(file), encoding: 'utf8' }).trim();
}

/** `crm_verify -x FILE -V`: the exit code and whatever it printed (errors and warnings). */
export function verify(file: string): { code: number; output: string } {
  const r = spawnSync('crm_verify', ['-x', file, '-V'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}
