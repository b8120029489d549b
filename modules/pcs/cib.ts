// The pacemaker CIB as typed data: resources, constraints, cluster properties, defaults and node
// attributes, read once per module call from the live cluster (`pcs cluster cib`) or a CIB file (`pcs -f`).
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { must } from '../lib/exec';
import { childNamed, childrenNamed, parseXml, XmlError, type XmlElement } from '../lib/xml';

export type NvPairs = Readonly<Record<string, string>>;

export interface CibOp {
  readonly id: string;
  readonly name: string;
  /** As written in the CIB, e.g. "30s" or "0s"; "" when absent. */
  readonly interval: string;
  /** Every other attribute (timeout, on-fail, role...). */
  readonly options: NvPairs;
}

interface ResourceBase {
  readonly id: string;
  readonly meta: NvPairs;
  /** The group, clone or master element this one sits in. */
  readonly parent?: { readonly kind: 'group' | 'clone' | 'master'; readonly id: string };
}

export interface CibPrimitive extends ResourceBase {
  readonly kind: 'primitive';
  /** class[:provider]:type, e.g. "ocf:heartbeat:IPaddr2", "systemd:vprotect-node". */
  readonly agent: string;
  readonly attributes: NvPairs;
  readonly operations: readonly CibOp[];
}

export interface CibGroup extends ResourceBase {
  readonly kind: 'group';
  readonly members: readonly string[];
}

export interface CibClone extends ResourceBase {
  /** 'master' is the pacemaker 1.x element pcs 0.9 creates for promotable clones. */
  readonly kind: 'clone' | 'master';
  readonly child: string;
  readonly promotable: boolean;
}

export type CibResource = CibPrimitive | CibGroup | CibClone;

export interface CibRuleExpression {
  readonly attribute: string;
  readonly operation: string;
  readonly value?: string;
  readonly type?: string;
}

export interface CibRule {
  readonly id: string;
  readonly score?: string;
  readonly booleanOp: string;
  readonly role?: string;
  readonly expressions: readonly CibRuleExpression[];
  /** True when the rule holds anything beyond plain attribute expressions (dates, nested rules). */
  readonly complex: boolean;
}

export interface CibLocation {
  readonly type: 'location';
  readonly id: string;
  readonly rsc: string;
  readonly node?: string;
  readonly score?: string;
  readonly role?: string;
  readonly resourceDiscovery?: string;
  readonly rules: readonly CibRule[];
}

export interface CibColocation {
  readonly type: 'colocation';
  readonly id: string;
  readonly rsc: string;
  readonly withRsc: string;
  readonly score: string;
  readonly rscRole: string;
  readonly withRscRole: string;
}

export interface CibOrder {
  readonly type: 'order';
  readonly id: string;
  readonly first: string;
  readonly then: string;
  readonly firstAction: string;
  readonly thenAction: string;
  readonly kind: string;
  readonly symmetrical: boolean;
}

export type CibConstraint = CibLocation | CibColocation | CibOrder;

export interface Cib {
  readonly xml: XmlElement;
  readonly resources: ReadonlyMap<string, CibResource>;
  readonly constraints: readonly CibConstraint[];
  /** cib-bootstrap-options (the set `pcs property set` writes). */
  readonly properties: NvPairs;
  readonly rscDefaults: NvPairs;
  readonly opDefaults: NvPairs;
  /** Permanent node attributes from the nodes section, by node name (uname). */
  readonly nodeAttributes: ReadonlyMap<string, NvPairs>;
}

/** Where a module reads and writes the CIB: the live cluster or a file handed to `pcs -f`. */
export interface CibTarget {
  /** Absolute path of a CIB file on the host (made by pcs_cib_file); omitted: the live cluster. */
  readonly cibFile?: string;
}

/** Merge every nvpair of the named sets directly under `el` (first definition wins, as pacemaker does). */
function nvpairs(el: XmlElement | undefined, setName: string): Record<string, string> {
  return el ? pairsOf(childrenNamed(el, setName)) : {};
}

function pairsOf(sets: readonly XmlElement[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) {
    for (const nv of childrenNamed(set, 'nvpair')) {
      const name = nv.attrs.name;
      if (name !== undefined && !(name in out)) out[name] = nv.attrs.value ?? '';
    }
  }
  return out;
}

function agentOf(p: XmlElement): string {
  const { class: cls = '', provider, type = '' } = p.attrs;
  return provider ? `${cls}:${provider}:${type}` : `${cls}:${type}`;
}

function readOps(p: XmlElement): CibOp[] {
  const ops = childNamed(p, 'operations');
  if (!ops) return [];
  return childrenNamed(ops, 'op').map((op) => {
    const { id = '', name = '', interval = '', ...options } = op.attrs;
    return { id, name, interval, options };
  });
}

function readResources(resourcesEl: XmlElement): Map<string, CibResource> {
  const out = new Map<string, CibResource>();
  const visit = (el: XmlElement, parent?: CibResource['parent']): void => {
    const id = el.attrs.id ?? '';
    const meta = nvpairs(el, 'meta_attributes');
    if (el.name === 'primitive') {
      out.set(id, {
        kind: 'primitive',
        id,
        agent: agentOf(el),
        attributes: nvpairs(el, 'instance_attributes'),
        meta,
        operations: readOps(el),
        parent,
      });
    } else if (el.name === 'group') {
      const members = childrenNamed(el, 'primitive');
      out.set(id, { kind: 'group', id, members: members.map((m) => m.attrs.id ?? ''), meta, parent });
      members.forEach((m) => visit(m, { kind: 'group', id }));
    } else if (el.name === 'clone' || el.name === 'master') {
      const child = el.children.find((c) => c.name === 'primitive' || c.name === 'group');
      const promotable = el.name === 'master' || isTrue(meta.promotable);
      out.set(id, { kind: el.name, id, child: child?.attrs.id ?? '', promotable, meta, parent });
      if (child) visit(child, { kind: el.name, id });
    }
  };
  resourcesEl.children.forEach((c) => visit(c));
  return out;
}

export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['true', 'on', 'yes', 'y', '1'].includes(v.toLowerCase());
}

function readRule(rule: XmlElement): CibRule {
  const expressions = childrenNamed(rule, 'expression').map((e) => ({
    attribute: e.attrs.attribute ?? '',
    operation: e.attrs.operation ?? '',
    value: e.attrs.value,
    type: e.attrs.type,
  }));
  return {
    id: rule.attrs.id ?? '',
    score: rule.attrs.score,
    booleanOp: rule.attrs['boolean-op'] ?? 'and',
    role: rule.attrs.role,
    expressions,
    complex: rule.children.some((c) => c.name !== 'expression'),
  };
}

function readConstraints(el: XmlElement | undefined): CibConstraint[] {
  if (!el) return [];
  const out: CibConstraint[] = [];
  for (const c of el.children) {
    const a = c.attrs;
    const id = a.id ?? '';
    // Constraints over resource sets or patterns have no rsc attribute: they are never ours to match.
    if (c.name === 'rsc_location' && a.rsc) {
      out.push({
        type: 'location',
        id,
        rsc: a.rsc,
        node: a.node,
        score: a.score,
        role: a.role,
        resourceDiscovery: a['resource-discovery'],
        rules: childrenNamed(c, 'rule').map(readRule),
      });
    } else if (c.name === 'rsc_colocation' && a.rsc && a['with-rsc']) {
      out.push({
        type: 'colocation',
        id,
        rsc: a.rsc,
        withRsc: a['with-rsc'],
        score: a.score ?? 'INFINITY',
        rscRole: a['rsc-role'] ?? 'Started',
        withRscRole: a['with-rsc-role'] ?? 'Started',
      });
    } else if (c.name === 'rsc_order' && a.first && a.then) {
      const firstAction = a['first-action'] ?? 'start';
      out.push({
        type: 'order',
        id,
        first: a.first,
        then: a.then,
        firstAction,
        thenAction: a['then-action'] ?? firstAction,
        kind: a.kind ?? (a.score !== undefined && scoreValue(a.score) === 0 ? 'Optional' : 'Mandatory'),
        symmetrical: a.symmetrical === undefined ? true : isTrue(a.symmetrical),
      });
    }
  }
  return out;
}

/** Numeric value of a pacemaker score; INFINITY is 1000000, as pacemaker caps it. */
export function scoreValue(score: string | number): number {
  const s = String(score).trim().toUpperCase();
  if (/^\+?(INFINITY|INF)$/.test(s)) return 1_000_000;
  if (/^-(INFINITY|INF)$/.test(s)) return -1_000_000;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new ModuleError(`not a pacemaker score: ${JSON.stringify(score)}`);
  return Math.max(-1_000_000, Math.min(1_000_000, n));
}

/** Role names compared across pacemaker versions: Master is Promoted, Slave is Unpromoted. */
export function normalRole(role: string | undefined): string {
  const r = (role ?? 'Started').toLowerCase();
  if (r === 'master' || r === 'promoted') return 'Promoted';
  if (r === 'slave' || r === 'unpromoted') return 'Unpromoted';
  if (r === 'stopped') return 'Stopped';
  return 'Started';
}

export function parseCib(text: string, source: string): Cib {
  let xml: XmlElement;
  try {
    xml = parseXml(text);
  } catch (e) {
    throw new ModuleError(`cannot parse the CIB from ${source}: ${(e as XmlError).message}`);
  }
  const conf = childNamed(xml, 'configuration');
  if (xml.name !== 'cib' || !conf) throw new ModuleError(`${source} is not a pacemaker CIB (no <cib><configuration>)`);
  const crm = childNamed(conf, 'crm_config');
  const nodeAttributes = new Map<string, NvPairs>();
  for (const n of childrenNamed(childNamed(conf, 'nodes') ?? conf, 'node')) {
    if (n.attrs.uname) nodeAttributes.set(n.attrs.uname, nvpairs(n, 'instance_attributes'));
  }
  const bootstrap = crm ? childrenNamed(crm, 'cluster_property_set').find((s) => s.attrs.id === 'cib-bootstrap-options') : undefined;
  return {
    xml,
    resources: readResources(childNamed(conf, 'resources') ?? conf),
    constraints: readConstraints(childNamed(conf, 'constraints')),
    properties: bootstrap ? pairsOf([bootstrap]) : {},
    rscDefaults: nvpairs(childNamed(conf, 'rsc_defaults'), 'meta_attributes'),
    opDefaults: nvpairs(childNamed(conf, 'op_defaults'), 'meta_attributes'),
    nodeAttributes,
  };
}

const scratchKey = (file: string): string => `pcs.cibScratch:${file}`;

/**
 * pcs_cib_file made this file: a scratch copy of the live CIB. It changes no cluster, so tasks build in it even
 * under --check (as linux-system-roles/ha_cluster does), and the push can then report the exact difference.
 */
export function markScratchCib(ctx: ModuleContext, file: string): void {
  ctx.hostCache.set(scratchKey(file), true);
}

export function isScratchCib(ctx: ModuleContext, target: CibTarget): boolean {
  return target.cibFile !== undefined && ctx.hostCache.get(scratchKey(target.cibFile)) === true;
}

/**
 * Reads the live CIB: what `pcs cluster cib` prints, straight from pacemaker's C tool (13 ms against pcs's
 * 390 ms of Python start-up, on every rerun of every pcs module).
 */
export const READ_LIVE_CIB = 'cibadmin --query';

/** The CIB text: the file's content in file mode, else the live CIB (needs a running cluster). */
export async function readCibText(ctx: ModuleContext, target: CibTarget): Promise<string> {
  if (target.cibFile) {
    const buf = await ctx.conn.get(target.cibFile, { become: ctx.become });
    if (!buf) {
      throw new ModuleError(
        `CIB file ${target.cibFile} does not exist on ${ctx.host}; create it first (pcs_cib_file) or drop cibFile to work on the live cluster`,
      );
    }
    return buf.toString('utf8');
  }
  return (await must(ctx, READ_LIVE_CIB)).stdout;
}

export async function readCib(ctx: ModuleContext, target: CibTarget): Promise<Cib> {
  return parseCib(await readCibText(ctx, target), target.cibFile ?? `the live CIB on ${ctx.host}`);
}
