// The arbiter (pacemaker_quorum_device): corosync-qnetd set up on a third inventory host through delegated steps
// (package, hacluster, pcsd, `pcs qdevice setup`), the heuristic on each node, then the nodes' quorum device. Two
// nodes alone cannot tell a dead peer from a cut link, and both halves of a partition promote DRBD; with the
// arbiter's vote one half keeps quorum: the one holding the floating IP (ffsplit's tie goes to the passing
// heuristic), and the other stops its resources (no-quorum-policy=stop).
import type { BlockNode, HostView, TaskNode } from '../../engine/dsl';
import { dslFor } from '../../engine/dsl';
import { quoted } from '../../engine/validate';
import { assertThat } from '../../modules/assert';
import { command } from '../../modules/command';
import { packageModule } from '../../modules/package';
import { pcsAuth, pcsQuorumDevice } from '../../modules/pcs';
import { service } from '../../modules/service';
import { template } from '../../modules/template';
import { userPassword } from '../../modules/user_password';
import { nodeAddress, preferredNode } from '../shared/cluster';
import type { PacemakerVars } from './vars';

const { task, block } = dslFor<PacemakerVars>();
type H = HostView<PacemakerVars>;

/** corosync-qdevice runs it at start-up and on every membership change (heuristics mode sync). */
export const HEURISTIC = '/usr/local/sbin/vprotect-ha-holds-vip';
/** What `pcs qdevice setup model net` creates first: the arbiter's certificate authority. */
const QNETD_CA = '/etc/corosync/qnetd/nssdb/qnetd-cacert.crt';

const arbiterOf = (h: H): string => h.vars.pacemaker_quorum_device!.host;
const onArbiter = { runOnce: true, delegateTo: arbiterOf } as const;
const once = { runOnce: true, delegateTo: (h: H) => preferredNode(h) } as const;

/** The quorum policy the CIB gets: the user's, else stop with an arbiter and ignore without (the how-to's). */
export function noQuorumPolicy(v: PacemakerVars): NonNullable<PacemakerVars['pacemaker_no_quorum_policy']> {
  return v.pacemaker_no_quorum_policy ?? (v.pacemaker_quorum_device ? 'stop' : 'ignore');
}

/** Decided from variables and the inventory before any host changes: the arbiter is a third host, and it counts. */
export const quorumDeviceCheck: TaskNode<PacemakerVars> = task({
  name: 'pacemaker_quorum_device names a third inventory host, and the quorum policy lets it count',
  when: (h) => h.vars.pacemaker_quorum_device !== undefined,
  action: (h) => {
    const arbiter = arbiterOf(h);
    const known = (h.groups['all'] ?? []) as readonly string[];
    const why = !known.includes(arbiter)
      ? `pacemaker_quorum_device.host ${quoted(arbiter)} is not an inventory host (hosts: ${known.join(', ')})`
      : h.playHosts.includes(arbiter as never)
        ? `pacemaker_quorum_device.host ${quoted(arbiter)} is a cluster node: the arbiter must be a third machine, outside the play's hosts`
        : noQuorumPolicy(h.vars) === 'ignore'
          ? 'pacemaker_no_quorum_policy=ignore makes the quorum device useless (a half without quorum would still promote): leave it unset (stop) or set stop, freeze or demote'
          : undefined;
    return assertThat({ that: why === undefined, msg: `role pacemaker: ${why ?? ''}` });
  },
});

/** After the cluster runs (pcs adds the device to a live corosync.conf), before the CIB gets no-quorum-policy. */
export const quorumDeviceTasks: BlockNode<PacemakerVars> = block({
  name: 'quorum device (the arbiter)',
  when: (h) => h.vars.pacemaker_quorum_device !== undefined && h.vars.pacemaker_cib_file === undefined,
  tasks: [
    task({ name: 'Arbiter: corosync-qnetd and pcs installed', ...onArbiter, action: () => packageModule({ name: ['corosync-qnetd', 'pcs'], state: 'present' }) }),
    task({
      name: 'Arbiter: the hacluster password (pcs on the nodes authenticates with it)',
      ...onArbiter,
      noLog: true,
      action: (h) => userPassword({ user: 'hacluster', password: h.vars.hacluster_password }),
    }),
    task({ name: 'Arbiter: pcsd running', ...onArbiter, action: () => service({ name: 'pcsd', state: 'started', enabled: true }) }),
    task({
      name: 'Arbiter: corosync-qnetd set up with its certificate authority',
      ...onArbiter,
      action: () => command({ argv: ['pcs', 'qdevice', 'setup', 'model', 'net', '--enable', '--start'], creates: QNETD_CA }),
    }),
    task({ name: 'Arbiter: corosync-qnetd running', ...onArbiter, action: () => service({ name: 'corosync-qnetd', state: 'started', enabled: true }) }),
    task({
      name: 'The quorum heuristic: this node holds the floating IP',
      action: (h) => template({ src: 'qdevice-holds-vip.sh', dest: HEURISTIC, mode: 0o755, vars: { vip: h.vars.cluster_vip } }),
    }),
    task({
      // Under its address: pcs finds the arbiter's token by the device's host= value, and corosync-qdevice
      // connects to that same value (a name would have to resolve on every node).
      name: "Authenticate the nodes to the arbiter's pcsd",
      ...once,
      noLog: true,
      action: (h) => {
        const addr = nodeAddress(h, arbiterOf(h));
        return pcsAuth({ nodes: [{ name: addr, addr }], password: h.vars.hacluster_password });
      },
    }),
    task({
      name: 'Quorum device: a vote through corosync-qnetd on the arbiter',
      ...once,
      action: (h) =>
        pcsQuorumDevice({
          arbiter: arbiterOf(h),
          host: nodeAddress(h, arbiterOf(h)),
          algorithm: h.vars.pacemaker_quorum_device!.algorithm,
          heuristics: { mode: 'sync', exec: { holds_vip: HEURISTIC } },
        }),
    }),
  ],
});
