// pacemaker: the how-to's "Cluster configuration" to "Final cluster settings": auth, cluster setup and start, then
// two-node properties, resource defaults, every resource and constraint built in one CIB file and pushed once: all
// of it or nothing (a failure while building stops every host before the push). A live CIB that differs from the
// role's layout is compared first (adoption.ts): what cannot be converged in that one push is refused up front.
import type { HostView } from '../../engine/dsl';
import { dslFor, role } from '../../engine/dsl';
import {
  pcsAuth,
  pcsCibFile,
  pcsCibPush,
  pcsCluster,
  pcsForeignCluster,
  pcsConstraint,
  pcsProperty,
  pcsResource,
  pcsResourceDefaults,
} from '../../modules/pcs';
import { clusterStatus, runningOn, type ClusterStatus } from '../../modules/cluster_status';
import { nodeAddress, preferredNode } from '../shared/cluster';
import { preferredNodeCheck, unameMatchesInventory } from '../shared/checks';
import { constraints, IDS, resources } from './layout';
import { vdoImplementation } from '../../modules/storage/vdo';
import { pacemakerVars, type PacemakerVars } from './vars';
import { pacemakerCibPlan, type CibPlanResult } from './adoption';
import { noQuorumPolicy, quorumDeviceCheck, quorumDeviceTasks } from './quorum-device';

const { task, block } = dslFor<PacemakerVars>();
type H = HostView<PacemakerVars>;

/** Cluster-wide steps run once, from the preferred node. */
const once = { runOnce: true, delegateTo: (h: H) => preferredNode(h) } as const;
const BUILD_CIB = '/var/lib/pacemaker/vprotect-ha-build.cib.xml';
const offline = (h: H): boolean => h.vars.pacemaker_cib_file !== undefined;
const cibFile = (h: H): string => h.vars.pacemaker_cib_file ?? BUILD_CIB;
/** Resources the role never recreates: what holds /vprotect_data (see adoption.ts). */
const STORAGE: readonly string[] = [IDS.drbd, IDS.vdo, IDS.fs];

/** Read before anything is built: what the live CIB has that the role would recreate, leave alone or refuse. */
export const cibPlanTask = task<CibPlanResult>({
  name: 'Compare the live CIB with the role; refuse what cannot be converged in one push',
  ...once,
  when: (h) => !offline(h),
  action: (h) =>
    pacemakerCibPlan({
      clusterName: h.vars.cluster_name,
      nodes: h.playHosts,
      resources: resources(h.vars, vdoImplementation(h.facts)),
      constraints: constraints(h.vars, preferredNode(h)),
      storage: STORAGE,
    }),
});

export const pacemaker = role({
  name: 'pacemaker',
  tags: ['pacemaker'],
  vars: pacemakerVars,
  tasks: [
    preferredNodeCheck<PacemakerVars>('pacemaker'),
    quorumDeviceCheck,
    cibPlanTask,
    block({
      name: 'cluster membership',
      when: (h) => !offline(h),
      tasks: [
        unameMatchesInventory<PacemakerVars>('pacemaker'),
        task({
          // Debian ships a default cluster ("debian", node1) that makes `pcs host auth` save nothing.
          name: 'Remove a foreign cluster configuration (guarded)',
          action: (h) =>
            pcsForeignCluster({
              name: h.vars.cluster_name,
              nodes: h.playHosts,
              destroyForeign: h.vars.pacemaker_destroy_foreign_cluster,
              forceVariable: 'pacemaker_destroy_foreign_cluster',
            }),
        }),
        task({
          name: 'Authenticate the nodes to pcsd as hacluster',
          ...once,
          action: (h) =>
            pcsAuth({ nodes: h.playHosts.map((n) => ({ name: n, addr: nodeAddress(h, n) })), password: h.vars.hacluster_password }),
        }),
        task({
          name: 'Set up, start and enable the cluster',
          ...once,
          action: (h) =>
            pcsCluster({
              name: h.vars.cluster_name,
              nodes: h.playHosts.map((n) => ({ host: n, name: n, addr: nodeAddress(h, n) })),
              destroyForeign: h.vars.pacemaker_destroy_foreign_cluster,
              forceVariable: 'pacemaker_destroy_foreign_cluster',
              start: true,
              enable: true,
              waitSeconds: 120,
            }),
        }),
        task<ClusterStatus>({
          name: 'Wait until every node is online',
          ...once,
          action: clusterStatus({}),
          until: (r, h) => h.playHosts.every((n) => r.nodes.some((x) => x.name === n && x.online)),
          retries: 60,
          delay: 2,
        }),
      ],
    }),
    quorumDeviceTasks,
    task({
      name: 'Copy the live CIB to build the resources in',
      ...once,
      when: (h) => !offline(h),
      action: (h) => pcsCibFile({ cibFile: cibFile(h) }),
    }),
    task({
      name: 'Two-node properties: quorum policy and stonith',
      ...once,
      action: (h) =>
        pcsProperty({
          cibFile: cibFile(h),
          properties: {
            'no-quorum-policy': noQuorumPolicy(h.vars),
            'stonith-enabled': h.vars.pacemaker_stonith_enabled,
          },
        }),
    }),
    task({
      name: 'Resource defaults: failure-timeout and migration-threshold',
      ...once,
      action: (h) =>
        pcsResourceDefaults({
          cibFile: cibFile(h),
          defaults: { 'failure-timeout': h.vars.pacemaker_failure_timeout, 'migration-threshold': h.vars.pacemaker_migration_threshold },
        }),
    }),
    task({
      name: 'Define resources',
      ...once,
      loop: (h) => resources(h.vars, vdoImplementation(h.facts)),
      // Another agent than the role's (the how-to's service:vprotect-server): recreated in this same push.
      action: (h, spec) => pcsResource({ ...spec, cibFile: cibFile(h), force: offline(h), recreate: !STORAGE.includes(spec.id) }),
    }),
    task({
      name: 'Define constraints',
      ...once,
      loop: (h) => constraints(h.vars, preferredNode(h)),
      action: (h, spec) => pcsConstraint({ ...spec, cibFile: cibFile(h) }),
    }),
    block({
      name: 'activate',
      when: (h) => !offline(h),
      tasks: [
        // The push is one transaction; the wait only reports the cluster settling. vProtect's server can take
        // minutes to start on a busy node, and failing the run after the CIB took the change helps nobody.
        task({ name: 'Push the resource configuration', ...once, action: (h) => pcsCibPush({ cibFile: cibFile(h), waitSeconds: 300 }) }),
        task<ClusterStatus>({
          name: 'Wait until the floating IP and vProtect run on the preferred node',
          ...once,
          action: clusterStatus({}),
          until: (r, h) => {
            const want = [preferredNode(h)];
            return [IDS.vip, IDS.group].every((id) => JSON.stringify(runningOn(r, id)) === JSON.stringify(want));
          },
          retries: 60,
          delay: 2,
        }),
      ],
    }),
  ],
});
