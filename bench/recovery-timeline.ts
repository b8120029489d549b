// A fail-over's timeline from the readings taken while it ran: when each milestone was first seen, the phase
// each one ends (its gap from the latest of its prerequisites, or from the event), and which of them were on
// the critical path to the goal, the API answering from the node that took over. Pure: the readings come in.
import { DATA_MOUNT, SERVER_UNIT, bothUpToDate, isPrimary, peerConnected, type ClusterView, type NodeView } from './recovery-probe';

export interface Reading<T> {
  /**
   * ms from the event: the middle of the read (the state it saw held somewhere within it). Readings before the
   * event (negative) are the state it starts from.
   */
  readonly at: number;
  /** The node the reading was taken on. */
  readonly node: string;
  readonly view: T;
}

export interface ApiReading {
  /** ms from the event: when the answer arrived. */
  readonly at: number;
  readonly hostname: string;
}

export type MilestoneId =
  | 'seen'
  | 'booted'
  | 'rejoined'
  | 'drbdPeerLost'
  | 'drbdConnected'
  | 'synced'
  | 'promotable'
  | 'pingd'
  | 'mariadb'
  | 'groupStopped'
  | 'storageReleased'
  | 'primary'
  | 'mounted'
  | 'service'
  | 'vip'
  | 'api';

export interface Observations {
  readonly cluster: readonly Reading<ClusterView>[];
  readonly node: readonly Reading<NodeView>[];
  readonly api: readonly ApiReading[];
  /** Instants measured rather than sampled (a restarted node's sshd answering), ms from the event. */
  readonly marks: Readonly<Partial<Record<MilestoneId, number>>>;
}

/**
 * standby / power cut: the resources leave the preferred node (pcs node standby; its kernel killed).
 * unstandby / restart: they come back to it (pcs node unstandby; the cut node booted again).
 */
export const SCENARIOS = ['standby', 'unstandby', 'power cut', 'restart'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** `from` holds the resources at the event; `to` should serve the API at the end. */
export interface Move {
  readonly from: string;
  readonly to: string;
}

export interface Milestone {
  readonly id: MilestoneId;
  readonly label: string;
  /** What must have happened before it can: its phase starts at the latest of these (at the event when none). */
  readonly after: readonly MilestoneId[];
  readonly reachedAt: (o: Observations) => number | undefined;
}

/**
 * When a state began: the first reading at or after the event that shows it right after one that did not (or
 * with none before it). A state that already held at the event counts only once it ends and begins again (e.g.
 * a pingd attribute a stopped ping clone leaves for its dampen time), so a stale reading never dates a milestone.
 */
export function began<T extends { readonly at: number }>(stream: readonly T[], holds: (x: T) => boolean): number | undefined {
  const sorted = [...stream].sort((a, b) => a.at - b.at);
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i]!;
    if (x.at >= 0 && holds(x) && (i === 0 || !holds(sorted[i - 1]!))) return x.at;
  }
  return undefined;
}

const inCluster = (node: string, holds: (v: ClusterView) => boolean) => (o: Observations) =>
  began(o.cluster.filter((r) => r.node === node), (r) => holds(r.view));

const onNode = (node: string, holds: (v: NodeView) => boolean) => (o: Observations) =>
  began(o.node.filter((r) => r.node === node), (r) => holds(r.view));

const apiFrom = (node: string) => (o: Observations) => began(o.api, (r) => r.hostname === node);

const nodeIn = (v: ClusterView, name: string) => v.nodes.find((n) => n.name === name);

const m = (id: MilestoneId, label: string, after: readonly MilestoneId[], reachedAt: Milestone['reachedAt']): Milestone => ({ id, label, after, reachedAt });

/** The milestones of one scenario, in the order they normally come; the last one is the goal. */
export function milestones(scenario: Scenario, { from, to }: Move): Milestone[] {
  const back = scenario === 'unstandby' || scenario === 'restart';
  // Pacemaker's view is taken from one node that is a member throughout: a node that just booted may show a
  // CIB with nothing running before it joins. After a cut, the survivor; otherwise the node taking over.
  const viewer = scenario === 'restart' ? from : to;
  const cluster = (holds: (v: ClusterView) => boolean) => inCluster(viewer, holds);
  const first: Milestone[] = [];
  if (scenario === 'standby') first.push(m('seen', `pacemaker on ${to} sees ${from} in standby`, [], cluster((v) => nodeIn(v, from)?.standby === true)));
  if (scenario === 'power cut') {
    first.push(
      m('seen', `pacemaker on ${to} sees ${from} offline`, [], cluster((v) => nodeIn(v, from)?.online === false)),
      m('drbdPeerLost', `DRBD on ${to} lost its peer`, [], onNode(to, (v) => v.drbd !== undefined && !peerConnected(v.drbd))),
    );
  }
  if (scenario === 'unstandby') first.push(m('seen', `pacemaker on ${to} sees it out of standby`, [], cluster((v) => nodeIn(v, to)?.standby === false && nodeIn(v, to)?.online === true)));
  if (scenario === 'restart') {
    first.push(
      m('booted', `${to} booted (its sshd answers)`, [], (o) => o.marks.booted),
      m('rejoined', `pacemaker on ${from} sees ${to} online`, ['booted'], cluster((v) => nodeIn(v, to)?.online === true)),
    );
  }
  // Coming back, pacemaker moves the resources only once DRBD on the returning node is UpToDate again (its
  // promotion score); the floating IP also needs ping's pingd there. Every `after` is a causal prerequisite
  // (an order or location constraint, or DRBD's own rule), since timeline() relies on it: so pingd is not one of
  // the group's, which may or may not wait for it through its colocation with the floating IP.
  const joined: MilestoneId = scenario === 'restart' ? 'rejoined' : 'seen';
  const drbdSeenOn = scenario === 'restart' ? from : to; // the returning node cannot be read while it boots
  const returning: Milestone[] = back
    ? [
        m('drbdConnected', `DRBD on ${drbdSeenOn} connected to its peer`, [scenario === 'restart' ? 'booted' : 'seen'], onNode(drbdSeenOn, (v) => peerConnected(v.drbd))),
        m('synced', 'DRBD UpToDate/UpToDate (resync done)', ['drbdConnected'], onNode(drbdSeenOn, (v) => bothUpToDate(v.drbd))),
        // The DRBD agent scores a node whose peer has UpToDate data (10 by default) even while it resyncs.
        m('promotable', `DRBD promotion score set on ${to}`, ['drbdConnected'], cluster((v) => v.promotable.includes(to))),
        m('pingd', `pingd set on ${to}`, [joined], cluster((v) => v.pingd.includes(to))),
        m('mariadb', `MariaDB running on ${to}`, [joined], cluster((v) => v.mariadb.includes(to))),
      ]
    : [];
  // After a cut the survivor's fence-peer handler forbids promoting the cut node until its resync is done (the
  // unfence handler lifts it): the move back waits for the resync too. A standby's clean stop fences nothing.
  const decided: MilestoneId[] = scenario === 'restart' ? ['promotable', 'synced'] : back ? ['promotable'] : ['seen'];
  return [
    ...first,
    ...returning,
    m('groupStopped', `vProtect-group stopped on ${from}`, decided, cluster((v) => !v.group.includes(from))),
    m('storageReleased', `fs_group (${DATA_MOUNT}) stopped on ${from}`, ['groupStopped'], cluster((v) => !v.storage.includes(from))),
    // A Secondary cannot be promoted while it still sees a Primary peer: after a cut, DRBD must notice first.
    m('primary', `DRBD Primary on ${to}`, scenario === 'power cut' ? ['storageReleased', 'drbdPeerLost'] : ['storageReleased'], onNode(to, (v) => isPrimary(v.drbd))),
    m('mounted', `${DATA_MOUNT} mounted on ${to}`, ['primary'], onNode(to, (v) => v.mountedFrom !== '')),
    m('service', `${SERVER_UNIT} active on ${to}`, back ? ['mounted', 'mariadb'] : ['mounted'], onNode(to, (v) => v.service === 'active')),
    m('vip', `floating IP on ${to}`, back ? ['pingd', 'promotable'] : ['seen'], cluster((v) => v.vip.includes(to))),
    m('api', `the API on the floating IP answering from ${to}`, ['service', 'vip'], apiFrom(to)),
  ];
}

export interface Reached {
  readonly id: MilestoneId;
  readonly label: string;
  /** ms from the event; undefined when never seen. */
  readonly at?: number;
  /** ms since the latest of its prerequisites that was seen (the event when none): the phase it ends. */
  readonly phaseMs?: number;
  /** On the chain of latest prerequisites that leads from the event to the goal. */
  readonly critical: boolean;
}

/**
 * `ms` must list every milestone after its prerequisites (milestones() does). A milestone seen proves its
 * prerequisites had happened by then: one seen later by a slower probe (crm_mon lags the node's own reads) is
 * moved back to the earliest milestone that depends on it.
 */
export function timeline(ms: readonly Milestone[], o: Observations): Reached[] {
  const at = new Map<MilestoneId, number | undefined>(ms.map((x) => [x.id, x.reachedAt(o)] as const));
  for (const x of [...ms].reverse()) {
    const t = at.get(x.id);
    if (t === undefined) continue;
    for (const id of x.after) {
      const before = at.get(id);
      if (before !== undefined && before > t) at.set(id, t);
    }
  }
  const seen = (ids: readonly MilestoneId[]): MilestoneId[] => ids.filter((id) => at.get(id) !== undefined);
  // The phase starts at the latest prerequisite seen (after the move back above, never after the milestone).
  const startOf = (x: Milestone): number => Math.max(0, ...seen(x.after).map((id) => at.get(id)!));
  const critical = new Set<MilestoneId>();
  const goal = ms[ms.length - 1];
  for (let cur = goal && at.get(goal.id) !== undefined ? goal : undefined; cur; ) {
    critical.add(cur.id);
    const latest = seen(cur.after).sort((a, b) => at.get(b)! - at.get(a)!)[0];
    cur = latest === undefined ? undefined : ms.find((x) => x.id === latest);
  }
  return ms.map((x) => {
    const t = at.get(x.id);
    return { id: x.id, label: x.label, ...(t !== undefined ? { at: t, phaseMs: Math.max(0, t - startOf(x)) } : {}), critical: critical.has(x.id) };
  });
}

/** Milestones not seen yet (the sampler keeps reading until none is left, or its time is up). */
export const unreached = (ms: readonly Milestone[], o: Observations): MilestoneId[] => ms.filter((x) => x.reachedAt(o) === undefined).map((x) => x.id);
