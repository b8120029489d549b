// pcs_resource: create a cluster resource, or bring an existing one in line with the parameters by
// changing only what differs: instance attributes, operations, meta attributes, group, clone/promotable.
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { readCib, type CibClone, type CibOp, type CibPrimitive, type CibResource, type CibTarget, type NvPairs } from './cib';
import { pcsDialect, type PcsDialect } from './dialect';
import { applyPlan, nvWords, pcsCommand, type PcsResult } from './run';
import { changedPairs, describePairs, sameValue, type WantedPairs } from './pairs';

export interface PcsOperation {
  /** monitor, start, stop, promote, demote, notify... */
  readonly action: string;
  /** interval, timeout, on-fail, role...; an op without interval matches the first op of its action. */
  readonly options?: WantedPairs;
}

export interface PcsCloneSpec {
  /** The clone's id; pcs's default is `<id>-clone` (pcs 0.9 masters: `<id>-master`). */
  readonly id?: string;
  /** Clone meta attributes, e.g. clone-max, notify, promoted-max. */
  readonly meta?: WantedPairs;
}

export interface PcsResourceParams extends CibTarget {
  readonly id: string;
  /** class[:provider]:type, e.g. ocf:heartbeat:IPaddr2, systemd:vprotect-node, service:vprotect-server. */
  readonly agent: string;
  readonly attributes?: WantedPairs;
  readonly operations?: readonly PcsOperation[];
  readonly meta?: WantedPairs;
  /** Put the resource in this group (created when missing; moved from another group). */
  readonly group?: string;
  readonly clone?: PcsCloneSpec;
  /** A promotable clone (`pcs resource promotable`; `pcs resource master` on pcs 0.9). */
  readonly promotable?: PcsCloneSpec;
  /** Pass --force: needed for agents pcs cannot inspect (e.g. systemd: where systemd is not PID 1). */
  readonly force?: boolean;
  /**
   * An existing resource with another agent (which pacemaker cannot change in place) is deleted and created again
   * in the same plan, at its place in its group; pacemaker restarts it once. pcs also deletes the constraints that
   * name it: the caller re-adds the ones it wants. Without this, such a resource is refused.
   */
  readonly recreate?: boolean;
}

export interface PcsResourceResult extends PcsResult {
  readonly created: boolean;
}

const ID = /^[A-Za-z_][-A-Za-z0-9_.]*$/;

/** Pacemaker 2.1 renamed master-* clone options to promoted-*; both spellings mean the same. */
const PROMOTED_ALIASES: Readonly<Record<string, string>> = {
  'master-max': 'promoted-max',
  'master-node-max': 'promoted-node-max',
};

function canonicalMeta(pairs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(pairs).map(([k, v]) => [PROMOTED_ALIASES[k] ?? k, v]));
}

/** Spell clone meta names the way this pacemaker generation expects. */
function dialectMeta(d: PcsDialect, pairs: WantedPairs): Record<string, string> {
  const legacy = !d.promotedRoleNames;
  return Object.fromEntries(
    Object.entries(pairs).map(([k, v]) => {
      const canon = PROMOTED_ALIASES[k] ?? k;
      const back = Object.keys(PROMOTED_ALIASES).find((m) => PROMOTED_ALIASES[m] === canon);
      return [legacy && back ? back : canon, String(v)];
    }),
  );
}

function opWords(op: PcsOperation): string[] {
  return ['op', op.action, ...nvWords(op.options ?? {})];
}

function opMatches(have: CibOp, want: PcsOperation): boolean {
  if (have.name !== want.action) return false;
  const all: Record<string, string> = { ...have.options, ...(have.interval ? { interval: have.interval } : {}) };
  return Object.entries(want.options ?? {}).every(([k, v]) => all[k] !== undefined && sameValue(k, all[k]!, String(v)));
}

/** Commands that make the resource's operations match the wanted ones (unlisted actions are left alone). */
function operationPlan(p: PcsResourceParams, have: CibPrimitive): { updateWords: string[]; extra: string[] } {
  const updateWords: string[] = [];
  const extra: string[] = [];
  const byAction = new Map<string, PcsOperation[]>();
  for (const op of p.operations ?? []) byAction.set(op.action, [...(byAction.get(op.action) ?? []), op]);
  for (const [action, wanted] of byAction) {
    const existing = have.operations.filter((o) => o.name === action);
    if (wanted.every((w) => existing.some((e) => opMatches(e, w)))) continue;
    if (wanted.length === 1 && existing.length <= 1) {
      // `pcs resource update ID op ACTION ...` rewrites the first op of that action.
      updateWords.push(...opWords(wanted[0]!));
      continue;
    }
    // Several ops of one action (e.g. monitors per role): the wanted list is authoritative.
    for (const e of existing) if (!wanted.some((w) => opMatches(e, w))) extra.push(pcsCommand(p, ['resource', 'op', 'remove', e.id]));
    for (const w of wanted) {
      if (!existing.some((e) => opMatches(e, w))) extra.push(pcsCommand(p, ['resource', 'op', 'add', p.id, action, ...nvWords(w.options ?? {})]));
    }
  }
  return { updateWords, extra };
}

interface Wrapper {
  readonly kind: 'clone' | 'promotable';
  readonly spec: PcsCloneSpec;
  readonly defaultId: string;
  readonly id: string;
}

function wrapperOf(p: PcsResourceParams, d: PcsDialect): Wrapper | undefined {
  const spec = p.promotable ?? p.clone;
  if (!spec) return undefined;
  const kind = p.promotable ? 'promotable' : 'clone';
  const defaultId = `${p.id}-${kind === 'promotable' && d.generation === '0.9' ? 'master' : 'clone'}`;
  return { kind, spec, defaultId, id: spec.id ?? defaultId };
}

/** The wrapper words for `resource create` or `resource clone|promotable|master`, per dialect. */
function wrapperVerb(w: Wrapper, d: PcsDialect): string {
  if (w.kind === 'clone') return 'clone';
  return d.generation === '0.9' ? 'master' : 'promotable';
}

function createPlan(p: PcsResourceParams, d: PcsDialect, w: Wrapper | undefined, before?: string): string[] {
  const force = p.force ? ['--force'] : [];
  const base = [
    'resource',
    'create',
    p.id,
    p.agent,
    ...nvWords(p.attributes ?? {}),
    ...(p.operations ?? []).flatMap(opWords),
    ...(p.meta && Object.keys(p.meta).length ? ['meta', ...nvWords(p.meta)] : []),
  ];
  if (p.group) return [pcsCommand(p, [...base, '--group', p.group, ...(before ? ['--before', before] : []), ...force])];
  if (!w) return [pcsCommand(p, [...base, ...force])];
  const meta = nvWords(dialectMeta(d, w.spec.meta ?? {}));
  const custom = w.id !== w.defaultId;
  if (!custom || d.customCloneId) {
    // One command, so the resource never runs unwrapped.
    return [pcsCommand(p, [...base, wrapperVerb(w, d), ...(custom ? [w.id] : []), ...meta, ...force])];
  }
  if (d.generation === '0.9' && w.kind === 'promotable') {
    // pcs 0.9 names a master only in `resource master ID RSC`: create disabled, wrap, then enable.
    return [
      pcsCommand(p, [...base, '--disabled', ...force]),
      pcsCommand(p, ['resource', 'master', w.id, p.id, ...meta]),
      pcsCommand(p, ['resource', 'enable', p.id]),
    ];
  }
  throw new ModuleError(
    `pcs ${d.version} cannot give a clone a custom id (needs pcs 0.10.7+): drop ${w.kind}.id or set it to ${w.defaultId}`,
  );
}

function wrapPlan(p: PcsResourceParams, d: PcsDialect, w: Wrapper): string[] {
  const meta = nvWords(dialectMeta(d, w.spec.meta ?? {}));
  const custom = w.id !== w.defaultId;
  if (d.generation === '0.9') {
    if (w.kind === 'promotable') return [pcsCommand(p, ['resource', 'master', ...(custom ? [w.id] : []), p.id, ...meta])];
    if (!custom) return [pcsCommand(p, ['resource', 'clone', p.id, ...meta])];
  } else if (!custom || d.customCloneId) {
    return [pcsCommand(p, ['resource', wrapperVerb(w, d), p.id, ...(custom ? [w.id] : []), ...meta])];
  }
  throw new ModuleError(
    `pcs ${d.version} cannot give a clone a custom id (needs pcs 0.10.7+): drop ${w.kind}.id or set it to ${w.defaultId}`,
  );
}

function checkParams(p: PcsResourceParams): void {
  if (!ID.test(p.id)) throw new ConfigError(`pcs_resource: invalid resource id ${JSON.stringify(p.id)}`);
  if (!/^[a-z]+(:[-\w.]+){1,2}$/i.test(p.agent)) {
    throw new ConfigError(`pcs_resource ${p.id}: agent ${JSON.stringify(p.agent)} is not class[:provider]:type`);
  }
  const wrappers = [p.group && 'group', p.clone && 'clone', p.promotable && 'promotable'].filter(Boolean);
  if (wrappers.length > 1) throw new ConfigError(`pcs_resource ${p.id}: choose one of ${wrappers.join(', ')}`);
  for (const id of [p.group, p.clone?.id, p.promotable?.id]) {
    if (id !== undefined && !ID.test(id)) throw new ConfigError(`pcs_resource ${p.id}: invalid id ${JSON.stringify(id)}`);
  }
}

export const pcsResource = defineModule<PcsResourceParams, PcsResourceResult>({
  name: 'pcs_resource',
  checkMode: true,
  describe: (p) => `pcs resource ${p.id} (${p.agent})`,
  preflight: checkParams,
  async run(p, ctx) {
    const d = await pcsDialect(ctx);
    const cib = await readCib(ctx, p);
    const w = wrapperOf(p, d);
    const have = cib.resources.get(p.id);
    if (!have) {
      for (const id of [w?.id, p.group]) {
        const other = id ? cib.resources.get(id) : undefined;
        if (other && !(other.kind === 'group' && id === p.group)) {
          throw new ModuleError(`cannot create ${p.id}: the id ${id} is already used by a ${other.kind}`);
        }
      }
      const r = await applyPlan(ctx, createPlan(p, d, w), `create resource ${p.id}`, '', p);
      return { ...r, created: true };
    }
    if (have.kind !== 'primitive') throw new ModuleError(`${p.id} exists as a ${have.kind}, not a primitive resource`);
    if (have.agent !== p.agent && p.recreate) {
      // Its place in the group is kept: group members start in order.
      const group = have.parent?.kind === 'group' && have.parent.id === p.group ? cib.resources.get(have.parent.id) : undefined;
      const members = group?.kind === 'group' ? group.members : [];
      const before = members[members.indexOf(p.id) + 1];
      const plan = [pcsCommand(p, ['resource', 'delete', p.id]), ...createPlan(p, d, w, before)];
      const r = await applyPlan(ctx, plan, `recreate resource ${p.id} (agent ${have.agent} -> ${p.agent}: pacemaker cannot change an agent in place; it restarts once)`, '', p);
      return { ...r, created: true };
    }
    if (have.agent !== p.agent) {
      throw new ModuleError(
        `resource ${p.id} exists with agent ${have.agent}, not ${p.agent}; pacemaker cannot change an agent in place: ` +
          `remove it (pcs resource delete ${p.id}) or choose another id`,
      );
    }
    const plan: string[] = [];
    const what: string[] = [];
    const attrs = changedPairs(have.attributes, p.attributes ?? {}, sameValue).changes;
    const ops = operationPlan(p, have);
    if (Object.keys(attrs).length || ops.updateWords.length) {
      plan.push(pcsCommand(p, ['resource', 'update', p.id, ...nvWords(attrs), ...ops.updateWords]));
      if (Object.keys(attrs).length) what.push(`attributes ${describePairs(attrs)}`);
      if (ops.updateWords.length) what.push('operations');
    }
    if (ops.extra.length) {
      plan.push(...ops.extra);
      if (!what.includes('operations')) what.push('operations');
    }
    const meta = changedPairs(have.meta, p.meta ?? {}, sameValue).changes;
    if (Object.keys(meta).length) {
      plan.push(pcsCommand(p, ['resource', 'meta', p.id, ...nvWords(meta)]));
      what.push(`meta ${describePairs(meta)}`);
    }
    if (p.group && !(have.parent?.kind === 'group' && have.parent.id === p.group)) {
      if (have.parent && have.parent.kind !== 'group') {
        throw new ModuleError(`resource ${p.id} is inside ${have.parent.kind} ${have.parent.id}; it cannot also join group ${p.group}`);
      }
      plan.push(pcsCommand(p, ['resource', 'group', 'add', p.group, p.id]));
      what.push(`group ${p.group}`);
    }
    if (w) what.push(...wrapperChanges(p, d, w, have, cib.resources.get(have.parent?.id ?? ''), plan));
    const r = await applyPlan(ctx, plan, `update resource ${p.id}: ${what.join(', ')}`, `resource ${p.id} as wanted`, p);
    return { ...r, created: false };
  },
});

/** Add to `plan` what makes the resource's clone/promotable wrapper as wanted; returns what changes. */
function wrapperChanges(
  p: PcsResourceParams,
  d: PcsDialect,
  w: Wrapper,
  have: CibPrimitive,
  parent: CibResource | undefined,
  plan: string[],
): string[] {
  if (!have.parent || have.parent.kind === 'group') {
    if (have.parent) throw new ModuleError(`resource ${p.id} is in group ${have.parent.id}; a grouped primitive cannot be cloned on its own`);
    plan.push(...wrapPlan(p, d, w));
    return [`wrap in ${w.kind} ${w.id}`];
  }
  const clone = parent as CibClone;
  if (w.spec.id !== undefined && clone.id !== w.spec.id) {
    throw new ModuleError(`resource ${p.id} is already wrapped in ${clone.id}, not ${w.spec.id}`);
  }
  if (clone.promotable !== (w.kind === 'promotable')) {
    throw new ModuleError(
      `resource ${p.id} is in ${clone.promotable ? 'a promotable' : 'a plain'} clone ${clone.id}, not ${w.kind === 'promotable' ? 'a promotable' : 'a plain'} one`,
    );
  }
  const wantMeta = dialectMeta(d, w.spec.meta ?? {});
  const haveCanon: NvPairs = canonicalMeta(clone.meta);
  const changes: Record<string, string> = {};
  for (const [k, v] of Object.entries(wantMeta)) {
    const cur = haveCanon[PROMOTED_ALIASES[k] ?? k];
    if (cur === undefined ? v !== '' : !sameValue(k, cur, v)) changes[k] = v;
  }
  if (!Object.keys(changes).length) return [];
  plan.push(pcsCommand(p, ['resource', 'meta', clone.id, ...nvWords(changes)]));
  return [`${clone.id} meta ${describePairs(changes)}`];
}
