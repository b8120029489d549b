// The how-to's "Testing the setup": put the active node in standby, wait until every resource runs on the
// other node, report, then unstandby (with the default INFINITY preference the services move back).
//   npx ts-node playbooks/failover.ts -i inventory/prod
import type { HostView, Vars } from '../engine/dsl';
import { play, playbook, task } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { clusterStatus, runningOn, type ClusterStatus } from '../modules/cluster_status';
import { pcsNode } from '../modules/pcs';
import { command } from '../modules/command';
import { IDS } from '../roles/pacemaker/layout';

type H = HostView;
const once = { runOnce: true } as const;
const status = (h: H): ClusterStatus => h.registered<ClusterStatus>('before')!;
/** The node holding the floating IP before the test. */
const active = (h: H): string => {
  const on = runningOn(status(h), IDS.vip);
  if (on.length !== 1) throw new Error(`${IDS.vip} runs on ${on.length ? on.join(', ') : 'no node'}: nothing to fail over`);
  return on[0]!;
};
const other = (h: H): string => h.playHosts.find((n) => n !== active(h))!;
/** Every started resource (clones excepted: they run on both) is on `node`. */
const allOn = (r: ClusterStatus, node: string): boolean =>
  [IDS.vip, IDS.group].every((id) => JSON.stringify(runningOn(r, id)) === JSON.stringify([node])) &&
  r.resources.filter((x) => !x.parent?.endsWith('-clone') && x.parent !== IDS.drbdClone && x.active).every((x) => x.nodes.every((n) => n === node));

export const failover = playbook('failover', [
  play({
    name: 'Fail over and back',
    hosts: 'cluster',
    become: true,
    tasks: [
      task({ name: 'Where the resources run now', ...once, action: clusterStatus({}), register: 'before' }),
      task({ name: 'Put the active node in standby', ...once, action: (h) => pcsNode({ node: active(h), state: 'standby' }) }),
      task<Vars, ClusterStatus>({
        name: 'Wait until every resource runs on the other node',
        ...once,
        action: clusterStatus({}),
        until: (r, h) => allOn(r, other(h)),
        retries: 60,
        delay: 2,
        register: 'moved',
      }),
      task({
        name: 'The floating IP answers on the other node',
        ...once,
        delegateTo: (h) => other(h),
        action: (h) => command({ argv: ['sh', '-c', `ip -4 -o addr show | grep -F " ${String(h.vars.cluster_vip)}/"`] }),
        changedWhen: () => false,
      }),
      task({ name: 'Bring the node back (unstandby)', ...once, action: (h) => pcsNode({ node: active(h), state: 'unstandby' }) }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the resources are back on the preferred node',
        ...once,
        action: clusterStatus({}),
        until: (r, h) => allOn(r, active(h)),
        retries: 60,
        delay: 2,
      }),
    ],
  }),
]);

runIfMain(module, failover);
