// The how-to's "Testing the setup": put the active node in standby, wait until every resource runs on the
// other node, check the floating IP there, then unstandby and wait until the services are back on the preferred
// node (the default INFINITY preference moves them back).
//   npx ts-node playbooks/failover.ts -i inventory/prod                     # over and back
//   npx ts-node playbooks/failover.ts -i inventory/prod --tags failover     # over only (inspect, then:)
//   npx ts-node playbooks/failover.ts -i inventory/prod --tags failback     # back
import type { HostView, Vars } from '../engine/dsl';
import { play, playbook, task } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { clusterStatus, runningOn, type ClusterStatus } from '../modules/cluster_status';
import { pcsNode } from '../modules/pcs';
import { command } from '../modules/command';
import { IDS } from '../roles/pacemaker/layout';
import { preferredNode } from '../roles/shared/cluster';

type H = HostView;
const once = { runOnce: true } as const;
const before = (h: H): ClusterStatus => h.registered<ClusterStatus>('failover_before')!;

/** The node holding the floating IP when the play started. */
function active(h: H): string {
  const on = runningOn(before(h), IDS.vip);
  if (on.length !== 1) throw new Error(`${IDS.vip} runs on ${on.length ? on.join(', ') : 'no node'}: nothing to fail over`);
  return on[0]!;
}
const other = (h: H): string => h.playHosts.find((n) => n !== active(h))!;
/** The floating IP and the vProtect group (with its storage, when there is some) run on `node` alone. */
const servicesOn = (r: ClusterStatus, node: string): boolean =>
  [IDS.vip, IDS.group, ...(r.resources.some((x) => x.parent === IDS.fsGroup) ? [IDS.fsGroup] : [])].every(
    (id) => JSON.stringify(runningOn(r, id)) === JSON.stringify([node]),
  );

export const failover = playbook('failover', [
  play({
    name: 'Fail over and back',
    hosts: 'cluster',
    become: true,
    tasks: [
      task({ name: 'Where the resources run now', ...once, tags: ['always'], action: clusterStatus({}), register: 'failover_before' }),
      task({ name: 'Put the active node in standby', ...once, tags: ['failover'], action: (h) => pcsNode({ node: active(h), state: 'standby' }) }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the services run on the other node',
        ...once,
        tags: ['failover'],
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
      task({ name: 'Which nodes are in standby', ...once, tags: ['failback'], action: clusterStatus({}), register: 'failover_now' }),
      task({
        name: 'Bring standby nodes back',
        ...once,
        tags: ['failback'],
        loop: (h) => h.registered<ClusterStatus>('failover_now')!.nodes.filter((n) => n.standby).map((n) => n.name),
        action: (_h, node: string) => pcsNode({ node, state: 'unstandby' }),
      }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the services are back on the preferred node',
        ...once,
        tags: ['failback'],
        action: clusterStatus({}),
        until: (r, h) => servicesOn(r, preferredNode(h)),
        retries: 60,
        delay: 2,
      }),
    ],
  }),
]);

runIfMain(module, failover);
