// Rolling single-node upgrade, one node at a time (serial 1), reusing the roles:
//   npx ts-node playbooks/upgrade.ts -i inventory/prod [--limit vprotect2]
// standby the node -> wait until it runs nothing -> upgrade the vProtect packages -> re-apply `common`
// (a package upgrade may re-enable services the cluster owns) -> unstandby -> verify.
import type { Vars } from '../engine/dsl';
import { play, playbook, task, withVars } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { clusterStatus, type ClusterStatus } from '../modules/cluster_status';
import { pcsNode } from '../modules/pcs';
import { packageModule } from '../modules/package';
import { mysqlReplication } from '../modules/mysql';
import { common } from '../roles/common';

const onNode = (r: ClusterStatus, node: string) => r.resources.filter((x) => x.active && x.nodes.includes(node) && !x.parent?.endsWith('-clone'));

export const upgrade = playbook('upgrade', [
  play({
    name: 'Rolling vProtect upgrade',
    hosts: 'cluster',
    serial: 1,
    become: true,
    preTasks: [
      task({ name: 'Put the node in standby', action: (h) => pcsNode({ node: h.name, state: 'standby' }) }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the node runs no cluster service',
        action: clusterStatus({}),
        until: (r, h) => onNode(r, h.name).length === 0,
        retries: 60,
        delay: 2,
      }),
      task({
        name: 'Upgrade the vProtect packages',
        action: (h) => packageModule({ name: (h.vars.upgrade_packages as string[] | undefined) ?? ['vprotect-server', 'vprotect-node'], state: 'latest', updateCache: true }),
      }),
    ],
    roles: [withVars(common, {})],
    postTasks: [
      task({ name: 'Bring the node back (unstandby)', action: (h) => pcsNode({ node: h.name, state: 'unstandby' }) }),
      task<Vars, ClusterStatus>({
        name: 'Wait until the node is online and every resource runs',
        action: clusterStatus({}),
        until: (r, h) => r.nodes.some((n) => n.name === h.name && n.online && !n.standby) && r.resources.every((x) => x.active && !x.failed),
        retries: 60,
        delay: 2,
      }),
      task({
        name: 'MariaDB replication runs on this node',
        action: mysqlReplication({ mode: 'start_replica', waitRunningSeconds: 60 }),
        // The cluster has just started MariaDB again on this node: its socket may lag the unit by a moment.
        retries: 15,
        delay: 2,
      }),
    ],
  }),
]);

runIfMain(module, upgrade);
