// cluster_status: the live pacemaker state (`crm_mon --output-as=xml`) as typed facts: nodes and where each resource runs.
import type { ModuleResult } from '../engine/types';
import { ModuleError } from '../engine/errors';
import { defineModule } from './lib/define';
import { must } from './lib/exec';
import { parseXml, type XmlElement } from './lib/xml';

export interface ClusterNode {
  readonly name: string;
  readonly online: boolean;
  readonly standby: boolean;
}

export interface ClusterResource {
  readonly id: string;
  /** The clone or group it belongs to. */
  readonly parent?: string;
  readonly agent: string;
  /** Started, Stopped, Promoted, Unpromoted (Master/Slave on older pacemaker). */
  readonly role: string;
  readonly active: boolean;
  readonly failed: boolean;
  readonly nodes: readonly string[];
}

export interface ClusterStatus extends ModuleResult {
  readonly nodes: readonly ClusterNode[];
  readonly resources: readonly ClusterResource[];
}

export function parseCrmMon(xml: string): Pick<ClusterStatus, 'nodes' | 'resources'> {
  const root = parseXml(xml);
  const child = (e: XmlElement, name: string) => e.children.find((c) => c.name === name);
  const nodes = (child(root, 'nodes')?.children ?? [])
    .filter((n) => n.name === 'node')
    .map((n) => ({ name: n.attrs.name ?? '', online: n.attrs.online === 'true', standby: n.attrs.standby === 'true' }));
  const resources: ClusterResource[] = [];
  const walk = (e: XmlElement, parent?: string): void => {
    for (const c of e.children) {
      if (c.name === 'resource') {
        resources.push({
          id: c.attrs.id ?? '',
          ...(parent ? { parent } : {}),
          agent: c.attrs.resource_agent ?? '',
          role: c.attrs.role ?? '',
          active: c.attrs.active === 'true',
          failed: c.attrs.failed === 'true',
          nodes: c.children.filter((n) => n.name === 'node').map((n) => n.attrs.name ?? ''),
        });
      } else if (c.name === 'clone' || c.name === 'group' || c.name === 'bundle') {
        walk(c, c.attrs.id);
      }
    }
  };
  const res = child(root, 'resources');
  if (res) walk(res);
  return { nodes, resources };
}

/** Nodes a resource (or every member of a group/clone with that id) runs on. */
export function runningOn(status: Pick<ClusterStatus, 'resources'>, id: string): string[] {
  const members = status.resources.filter((r) => r.id === id || r.parent === id);
  return [...new Set(members.filter((r) => r.active).flatMap((r) => r.nodes))];
}

export const clusterStatus = defineModule<Record<string, never>, ClusterStatus>({
  name: 'cluster_status',
  checkMode: true,
  describe: () => 'crm_mon',
  async run(_p, ctx) {
    const r = await must(ctx, 'crm_mon --one-shot --inactive --output-as=xml');
    try {
      const state = parseCrmMon(r.stdout);
      const tops = [...new Set(state.resources.map((x) => x.parent ?? x.id))];
      const where = tops.map((id) => `${id}@${runningOn(state, id).join('+') || 'stopped'}`).join(' ');
      const online = state.nodes.filter((n) => n.online && !n.standby).map((n) => n.name);
      return { changed: false, msg: `online: ${online.join(', ') || 'none'}; ${where}`, ...state };
    } catch (e) {
      throw new ModuleError(`cannot read crm_mon's XML: ${(e as Error).message}`);
    }
  },
});
