// What the live CIB has next to the role's layout, read before anything is built or pushed: what the role would
// recreate, what it leaves alone (resources and constraints it does not define), and what it refuses. Read-only,
// from the CIB alone (so the storage resources are judged the same on a kernel without DRBD). The rule, applied
// to every resource the role defines:
//   - another agent (the how-to's service:vprotect-server for the role's systemd:vprotect-server): deleted and
//     created again in the same single CIB push, at its place in its group (pacemaker restarts it once);
//   - refused instead, before anything is pushed, when that would drop something the role does not own (a
//     constraint made by hand that names the resource), when the id is taken by a group or clone, and for the
//     storage resources (DRBD, VDO, Filesystem) whenever their agent, place or data-locating settings differ: the
//     role does not re-point what holds /vprotect_data; make the inventory describe it, or change it by hand.
// Everything else that differs (attributes, operations, meta, group membership) is updated in place in that push.
import type { ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule } from '../../modules/lib/define';
import { probe } from '../../modules/lib/exec';
import { parseCib, READ_LIVE_CIB, type Cib, type CibConstraint, type CibResource } from '../../modules/pcs/cib';
import { defaultId, matches, sameSubject, type ConstraintSpec } from '../../modules/pcs/constraint';
import { changedPairs, sameValue } from '../../modules/pcs/pairs';
import type { ResourceSpec } from './layout';
import { describeConf, readCorosyncConf } from '../../modules/pcs/corosync-conf';
import { isRenamedOwnCluster } from '../../modules/pcs/foreign-cluster';

/** The data-locating settings of each storage resource: a difference in one of them means other data. */
export const STORAGE_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  replicate: ['drbd_resource'],
  vdo_resource: ['volume', 'vgname'],
  fs_resource: ['device', 'directory', 'fstype'],
};

export interface CibPlanParams {
  /** The inventory's cluster and node names: a corosync.conf of these nodes under another name is refused. */
  readonly clusterName: string;
  readonly nodes: readonly string[];
  readonly resources: readonly ResourceSpec[];
  readonly constraints: readonly ConstraintSpec[];
  /** Ids of the storage resources among `resources` (their differences are refused, never recreated). */
  readonly storage: readonly string[];
}

export interface CibPlanResult extends ModuleResult {
  /** False when no cluster runs yet (nothing to adopt). */
  readonly cluster: boolean;
  readonly recreate: readonly string[];
  readonly unmanaged: readonly string[];
}

type Place = { readonly kind: 'group' | 'clone' | 'promotable'; readonly id: string } | undefined;

function wantedPlace(s: ResourceSpec): Place {
  if (s.group) return { kind: 'group', id: s.group };
  if (s.promotable) return { kind: 'promotable', id: s.promotable.id ?? `${s.id}-clone` };
  if (s.clone) return { kind: 'clone', id: s.clone.id ?? `${s.id}-clone` };
  return undefined;
}

function livePlace(cib: Cib, r: CibResource): Place {
  if (!r.parent) return undefined;
  if (r.parent.kind === 'group') return { kind: 'group', id: r.parent.id };
  const wrapper = cib.resources.get(r.parent.id);
  return { kind: (wrapper?.kind === 'clone' || wrapper?.kind === 'master') && wrapper.promotable ? 'promotable' : 'clone', id: r.parent.id };
}

const placeText = (p: Place): string => (p ? `${p.kind === 'group' ? 'group' : p.kind === 'promotable' ? 'promotable clone' : 'clone'} ${p.id}` : 'no group or clone');
const samePlace = (a: Place, b: Place): boolean => JSON.stringify(a) === JSON.stringify(b);

function names(c: CibConstraint): string[] {
  return c.type === 'location' ? [c.rsc] : c.type === 'colocation' ? [c.rsc, c.withRsc] : [c.first, c.then];
}

/** Compare the live CIB with the role's layout; throws with every refusal, else returns the report. */
export function planCib(cib: Cib, p: CibPlanParams): CibPlanResult {
  const refusals: string[] = [];
  const recreate: string[] = [];
  const owned = new Set(p.resources.flatMap((s) => [s.id, ...(wantedPlace(s) ? [wantedPlace(s)!.id] : [])]));
  const managedConstraint = (c: CibConstraint): boolean => p.constraints.some((w) => matches(w, c) || sameSubject(w, c, defaultId(w)));
  for (const s of p.resources) {
    const have = cib.resources.get(s.id);
    if (!have) continue;
    if (have.kind !== 'primitive') {
      refusals.push(`${s.id} is a ${have.kind} in the CIB; the role's ${s.id} is a ${s.agent} resource`);
      continue;
    }
    const [want, live] = [wantedPlace(s), livePlace(cib, have)];
    const wrapper = want ? cib.resources.get(want.id) : undefined;
    if (want && wrapper && wrapper.id !== have.parent?.id && (want.kind === 'group' ? wrapper.kind !== 'group' : wrapper.kind === 'group' || wrapper.kind === 'primitive')) {
      refusals.push(`${want.id} is a ${wrapper.kind} in the CIB; the role's ${want.id} is a ${want.kind}`);
    }
    if (p.storage.includes(s.id)) {
      const keys = STORAGE_SETTINGS[s.id] ?? [];
      const data = changedPairs(have.attributes, Object.fromEntries(Object.entries(s.attributes ?? {}).filter(([k]) => keys.includes(k))), sameValue).changes;
      const why = [
        ...(have.agent !== s.agent ? [`agent ${have.agent} (the role's: ${s.agent})`] : []),
        ...(!samePlace(want, live) ? [`in ${placeText(live)} (the role's: ${placeText(want)})`] : []),
        ...Object.keys(data).map((k) => `${k}=${have.attributes[k] ?? '(unset)'} (the role's: ${data[k]})`),
      ];
      if (why.length) {
        refusals.push(
          `storage resource ${s.id} differs from the role's: ${why.join(', ')}; the role does not replace or re-point what holds the data: ` +
            'make the inventory describe it (drbd_resource, drbd_device, vdo_enabled, vdo_name, data_mount, data_fstype), or change it by hand',
        );
      }
      continue;
    }
    if (have.agent === s.agent) continue;
    // pcs deletes the constraints naming the resource (or the clone around it) with it.
    const gone = new Set([s.id, ...(live && live.kind !== 'group' ? [live.id] : [])]);
    const handMade = cib.constraints.filter((c) => names(c).some((n) => gone.has(n)) && !managedConstraint(c));
    if (handMade.length) {
      refusals.push(
        `${s.id} runs ${have.agent}, the role's ${s.agent}; recreating it would delete constraint(s) ${handMade.map((c) => c.id).join(', ')} ` +
          'that the role does not define: remove them, or recreate the resource by hand',
      );
      continue;
    }
    recreate.push(`${s.id} (agent ${have.agent} -> ${s.agent})`);
  }
  if (refusals.length) throw new ModuleError(`nothing is pushed to the cluster: ${refusals.join('; ')}`);
  const unmanaged = [
    ...[...cib.resources.values()].filter((r) => !owned.has(r.id) && !(r.parent && owned.has(r.parent.id) && r.parent.kind !== 'group')).map((r) => `resource ${r.id}`),
    ...cib.constraints.filter((c) => !managedConstraint(c)).map((c) => `constraint ${c.id}`),
  ];
  const parts = [
    recreate.length ? `recreates ${recreate.join(', ')} in the same CIB push, each restarted once by pacemaker` : '',
    unmanaged.length ? `leaves alone what it does not define: ${unmanaged.join(', ')}` : '',
  ].filter(Boolean);
  return { changed: false, msg: parts.length ? `the role ${parts.join('; ')}` : 'the CIB holds nothing the role would recreate or leave alone', cluster: true, recreate, unmanaged };
}

export const pacemakerCibPlan = defineModule<CibPlanParams, CibPlanResult>({
  name: 'pacemaker_cib_plan',
  checkMode: true,
  describe: () => 'compare the live CIB with the role\'s resources and constraints',
  async run(p, ctx) {
    const conf = await readCorosyncConf(ctx.conn, ctx.become);
    if (conf && conf.clusterName !== p.clusterName && isRenamedOwnCluster(conf, p.nodes)) {
      throw new ModuleError(
        `nothing is changed: ${ctx.host} belongs to corosync ${describeConf(conf)}, this inventory's own nodes, but the inventory ` +
          `names the cluster "${p.clusterName}": set cluster_name: ${conf.clusterName ?? '(its name)'} to adopt it (it is never destroyed as a foreign cluster)`,
      );
    }
    const r = await probe(ctx, READ_LIVE_CIB);
    if (r.code !== 0) return { changed: false, msg: 'no running cluster yet: nothing to adopt', cluster: false, recreate: [], unmanaged: [] };
    return planCib(parseCib(r.stdout, `the live CIB on ${ctx.host}`), p);
  },
});

