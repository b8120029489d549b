// The split-brain check the drbd role starts with and playbooks/status.ts runs: each node reads its side
// (drbd_split_brain, registered), then each judges the pair from both registrations (lockstep: both reads are
// done by then) and fails, naming itself, when DRBD is in split brain. It reads and reports, and never chooses
// which side's data to discard: that is the user's call, and the message says how to make it.
import type { FailureDetail, HostView, TaskNode } from '../../engine/dsl';
import { task } from '../../engine/dsl';
import { assertThat } from '../../modules/assert';
import { drbdSplitBrain, type DrbdSplitBrainResult } from '../../modules/drbd';
import { judgeSplitBrain, noSplitBrainMessage, splitBrainMessage, type NodeFacts } from '../../modules/drbd/split-brain-verdict';

/** What the read registers on each host. */
export const SPLIT_BRAIN_FACTS = 'drbd_split_brain';

type SplitBrainVars = { readonly drbd_resource: string; readonly drbd_device: string };

/** Each node's side of the resource, read only. */
export function splitBrainRead<V extends SplitBrainVars>(opts: { readonly when?: (h: HostView<V>) => boolean } = {}): TaskNode<V> {
  return task<V, DrbdSplitBrainResult>({
    name: 'DRBD on this node (role, disk, connection; split-brain evidence when StandAlone)',
    ...(opts.when ? { when: opts.when } : {}),
    action: (h) => drbdSplitBrain({ resource: h.vars.drbd_resource, device: h.vars.drbd_device }),
    register: SPLIT_BRAIN_FACTS,
  });
}

/** Every play host's read; a host whose read did not run or failed counts as unread, never as healthy. */
export function pairFacts(h: HostView<unknown>): NodeFacts[] {
  return h.playHosts.map((host) => {
    // A failed read is registered too (failed: true, its error as msg).
    const r = h.hostvars(host).registered<DrbdSplitBrainResult & FailureDetail>(SPLIT_BRAIN_FACTS);
    return r && !r.failed && typeof r.up === 'boolean' ? { host, facts: r } : { host };
  });
}

/** Fails this host, naming it, when the pair is in split brain; says who has which role when it is not. */
export function splitBrainRefusal<V extends SplitBrainVars>(opts: { readonly when?: (h: HostView<V>) => boolean } = {}): TaskNode<V> {
  return task<V>({
    name: 'No DRBD split brain (nothing here discards either side\'s data)',
    ...(opts.when ? { when: opts.when } : {}),
    action: (h) => {
      const nodes = pairFacts(h);
      const verdict = judgeSplitBrain(nodes);
      const ok = noSplitBrainMessage(h.vars.drbd_resource, nodes);
      // msg is also the task's description (-vv): the refusal only when it is one.
      return assertThat({ that: !verdict.splitBrain, msg: verdict.splitBrain ? splitBrainMessage(h.name, h.vars.drbd_resource, nodes, verdict) : ok, successMsg: ok });
    },
  });
}
