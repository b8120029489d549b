// The how-to's "Testing the setup": put the active node in standby, wait until every resource runs on the
// other node, check the floating IP there, then unstandby and wait until the services are back on the preferred
// node (the default INFINITY preference moves them back). Around each move, a drill (playbooks/drill/): a probe
// record written through the active node before the fail-over, the vProtect API on the floating IP watched from
// the controller, the record checked on the node that took over, and a report of how long the API was down.
//   npx ts-node playbooks/failover.ts -i inventory/prod                     # over and back
//   npx ts-node playbooks/failover.ts -i inventory/prod --tags failover     # over only (inspect, then:)
//   npx ts-node playbooks/failover.ts -i inventory/prod --tags failback     # back
//   npx ts-node playbooks/failover.ts -i inventory/prod --skip-tags drill   # over and back, no drill
import type { HostView, Vars } from '../engine/dsl';
import { play, playbook, task } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { clusterStatus, runningOn, type ClusterStatus } from '../modules/cluster_status';
import { pcsNode } from '../modules/pcs';
import { command } from '../modules/command';
import { assertThat } from '../modules/assert';
import { IDS } from '../roles/pacemaker/layout';
import { preferredNode } from '../roles/shared/cluster';
import { pendingInCheckMode } from '../roles/shared/check-mode';
import { checkProbe, drillReportTask, endWatch, readNewestProbe, watchApi, writeProbe } from './drill/tasks';

type H = HostView;
const once = { runOnce: true } as const;
const before = (h: H): ClusterStatus => h.registered<ClusterStatus>('failover_before')!;
const now = (h: H): ClusterStatus => h.registered<ClusterStatus>('failover_now')!;

/** The node holding the floating IP in `r`. */
function vipOn(r: ClusterStatus): string {
  const on = runningOn(r, IDS.vip);
  if (on.length !== 1) throw new Error(`${IDS.vip} runs on ${on.length ? on.join(', ') : 'no node'}: nothing to fail over`);
  return on[0]!;
}
/** The node holding the floating IP when the play started. */
const active = (h: H): string => vipOn(before(h));
const other = (h: H): string => h.playHosts.find((n) => n !== active(h))!;
/** The cluster moves a data filesystem (DRBD, VDO) with the services. */
const hasDataFs = (r: ClusterStatus): boolean => r.resources.some((x) => x.parent === IDS.fsGroup);
/** The floating IP and the vProtect group (with its storage, when there is some) run on `node` alone. */
const servicesOn = (r: ClusterStatus, node: string): boolean =>
  [IDS.vip, IDS.group, ...(hasDataFs(r) ? [IDS.fsGroup] : [])].every((id) => JSON.stringify(runningOn(r, id)) === JSON.stringify([node]));
const standbyNodes = (h: H): string[] => now(h).nodes.filter((n) => n.standby).map((n) => n.name);

/** Standing in for the active node needs the other one online and out of standby, or the services stop. */
function otherCanTakeOver(h: H): { that: boolean; msg: string } {
  const o = before(h).nodes.find((n) => n.name === other(h));
  const state = !o ? 'not in the cluster' : !o.online ? 'offline' : o.standby ? 'in standby' : undefined;
  if (state === undefined) return { that: true, msg: `${other(h)} is online and not in standby` };
  return { that: false, msg: `${other(h)} is ${state}: putting ${active(h)} in standby would stop the services. Bring it back first (failover.ts --tags failback)` };
}
/** The fail-back moves something: a node is in standby. */
const failsBack = (h: H): boolean => standbyNodes(h).length > 0;
/** The floating IP runs on one node now (where the drill finds the newest record; none while nothing runs). */
const vipOnOneNode = (h: H): boolean => runningOn(now(h), IDS.vip).length === 1;

export const failover = playbook('failover', [
  play({
    name: 'Fail over and back',
    hosts: 'cluster',
    become: true,
    tasks: [
      task({ name: 'Where the resources run now', ...once, tags: ['always'], action: clusterStatus({}), register: 'failover_before' }),
      task({ name: 'The other node can take over (online, not in standby)', ...once, tags: ['failover'], action: (h) => assertThat(otherCanTakeOver(h)) }),
      writeProbe(active, (h) => hasDataFs(before(h))),
      watchApi('failover'),
      task({ name: 'Put the active node in standby', ...once, tags: ['failover'], action: (h) => pcsNode({ node: active(h), state: 'standby' }), register: 'failover_standby' }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the services run on the other node',
        ...once,
        tags: ['failover'],
        // Under --check nothing was put in standby: nothing moves.
        when: (h) => !pendingInCheckMode(h, 'failover_standby'),
        action: clusterStatus({}),
        until: (r, h) => servicesOn(r, other(h)),
        retries: 60,
        delay: 2,
      }),
      task({
        name: 'The floating IP is up on the other node',
        ...once,
        tags: ['failover'],
        delegateTo: (h) => other(h),
        action: (h) => command({ argv: ['sh', '-c', `uname -n; ip -4 -o addr show | grep -F ' ${String(h.vars.cluster_vip)}/'`] }),
        changedWhen: () => false,
      }),
      endWatch('failover'),
      checkProbe('failover', 'Drill: the probe record is intact on the new active node', other),
      task({ name: 'Which nodes are in standby', ...once, tags: ['failback'], action: clusterStatus({}), register: 'failover_now' }),
      readNewestProbe((h) => vipOn(now(h)), (h) => failsBack(h) && vipOnOneNode(h)),
      watchApi('failback', failsBack),
      task({
        name: 'Bring standby nodes back',
        ...once,
        tags: ['failback'],
        loop: (h) => standbyNodes(h),
        action: (_h, node: string) => pcsNode({ node, state: 'unstandby' }),
        register: 'failover_unstandby',
      }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the services are back on the preferred node',
        ...once,
        tags: ['failback'],
        when: (h) => !pendingInCheckMode(h, 'failover_unstandby'),
        action: clusterStatus({}),
        until: (r, h) => servicesOn(r, preferredNode(h)),
        retries: 60,
        delay: 2,
      }),
      endWatch('failback'),
      checkProbe('failback', 'Drill: the probe record is intact on the preferred node', preferredNode),
      drillReportTask(),
    ],
  }),
]);

runIfMain(module, failover);
