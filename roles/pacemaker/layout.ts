// The cluster's resources and constraints as data, from the role's variables: the how-to's "Resources
// creation" and "Final cluster settings", with its errata fixed (see README: the DRBD clone is not in a group;
// fs_group follows the promoted DRBD side; vProtect starts after its data and its database).
import type { PcsResourceParams } from '../../modules/pcs/resource';
import type { ConstraintSpec } from '../../modules/pcs/constraint';
import type { PacemakerVars } from './vars';

export type ResourceSpec = Omit<PcsResourceParams, 'cibFile' | 'force'>;

export const IDS = {
  vip: 'Failover_IP',
  ping: 'ping',
  pingClone: 'ping-clone',
  mariadb: 'mariadb',
  mariadbClone: 'mariadb-clone',
  group: 'vProtect-group',
  node: 'vProtect-node',
  server: 'vProtect-server',
  drbd: 'replicate',
  drbdClone: 'replicateClone',
  vdo: 'vdo_resource',
  fs: 'fs_resource',
  fsGroup: 'fs_group',
} as const;

const stopOnFail = (timeout: string) => ({ timeout, 'on-fail': 'stop' });

/** RHEL 7/8 manage VDO with the `vdo` tool (agent vdo-vol); RHEL 9 has LVM-VDO (agent LVM-activate). */
export type VdoImplementation = 'manager' | 'lvm';

export function dataDevice(v: Pick<PacemakerVars, 'vdo_enabled' | 'vdo_name' | 'drbd_device'>, vdo: VdoImplementation = 'manager'): string {
  // The how-to's `mount /dev/mapper/drbd0` is a typo: DRBD's device is /dev/drbd0; VDO's is /dev/mapper/NAME.
  if (!v.vdo_enabled) return v.drbd_device;
  return vdo === 'manager' ? `/dev/mapper/${v.vdo_name}` : `/dev/vg_${v.vdo_name}/${v.vdo_name}`;
}

function vdoResource(v: PacemakerVars, vdo: VdoImplementation): ResourceSpec {
  return vdo === 'manager'
    ? { id: IDS.vdo, agent: 'ocf:heartbeat:vdo-vol', attributes: { volume: v.vdo_name }, group: IDS.fsGroup }
    : { id: IDS.vdo, agent: 'ocf:heartbeat:LVM-activate', attributes: { vgname: `vg_${v.vdo_name}`, vg_access_mode: 'tagging' }, group: IDS.fsGroup };
}

export function resources(v: PacemakerVars, vdo: VdoImplementation = 'manager'): ResourceSpec[] {
  const out: ResourceSpec[] = [
    {
      id: IDS.vip,
      agent: 'ocf:heartbeat:IPaddr2',
      attributes: { ip: v.cluster_vip, cidr_netmask: v.cluster_vip_cidr_netmask, ...(v.cluster_vip_nic ? { nic: v.cluster_vip_nic } : {}) },
      operations: [{ action: 'monitor', options: { interval: '30s' } }],
    },
    {
      id: IDS.ping,
      agent: 'ocf:pacemaker:ping',
      attributes: { dampen: v.ping_dampen, multiplier: v.ping_multiplier, host_list: v.ping_gateway },
      operations: [{ action: 'monitor', options: { interval: '10s' } }],
      clone: { id: IDS.pingClone },
    },
  ];
  if (v.pacemaker_manage_mariadb) {
    out.push({
      id: IDS.mariadb,
      agent: `systemd:${v.mariadb_service}`,
      operations: [{ action: 'monitor', options: { interval: '30s', timeout: '100s' } }],
      clone: { id: IDS.mariadbClone },
    });
  }
  if (v.drbd_enabled) {
    out.push({
      id: IDS.drbd,
      agent: 'ocf:linbit:drbd',
      attributes: { drbd_resource: v.drbd_resource },
      operations: [{ action: 'monitor', options: { interval: '10s' } }],
      promotable: {
        id: IDS.drbdClone,
        meta: { 'promoted-max': 1, 'promoted-node-max': 1, 'clone-max': 2, 'clone-node-max': 1, notify: true },
      },
    });
    if (v.vdo_enabled) out.push(vdoResource(v, vdo));
    out.push({
      id: IDS.fs,
      agent: 'ocf:heartbeat:Filesystem',
      attributes: { device: dataDevice(v, vdo), directory: v.data_mount, fstype: v.data_fstype },
      group: IDS.fsGroup,
    });
  }
  out.push(
    {
      id: IDS.node,
      agent: 'systemd:vprotect-node',
      operations: [{ action: 'monitor', options: stopOnFail('300s') }],
      group: IDS.group,
    },
    {
      id: IDS.server,
      agent: 'systemd:vprotect-server',
      operations: [
        { action: 'start', options: stopOnFail('300s') },
        { action: 'stop', options: stopOnFail('300s') },
        { action: 'monitor', options: stopOnFail('300s') },
      ],
      group: IDS.group,
    },
  );
  return out;
}

export function constraints(v: PacemakerVars, preferred: string): ConstraintSpec[] {
  const score = v.pacemaker_preferred_score;
  const out: ConstraintSpec[] = [
    // A node that cannot reach the gateway must not hold the floating IP.
    { kind: 'location_rule', resource: IDS.vip, rule: 'pingd lt 1 or not_defined pingd', score: '-INFINITY' },
    { kind: 'colocation', resource: IDS.vip, with: IDS.group, score: 'INFINITY' },
    { kind: 'location', resource: IDS.vip, node: preferred, score },
    { kind: 'location', resource: IDS.group, node: preferred, score },
  ];
  if (v.pacemaker_manage_mariadb) {
    out.push({ kind: 'order', first: IDS.mariadbClone, then: IDS.group, firstAction: 'start', thenAction: 'start' });
  }
  if (v.drbd_enabled) {
    out.push(
      { kind: 'colocation', resource: IDS.fsGroup, with: IDS.drbdClone, score: 'INFINITY', withRole: 'Promoted' },
      { kind: 'order', first: IDS.drbdClone, then: IDS.fsGroup, firstAction: 'promote', thenAction: 'start' },
      { kind: 'colocation', resource: IDS.group, with: IDS.fsGroup, score: 'INFINITY' },
      { kind: 'order', first: IDS.fsGroup, then: IDS.group, firstAction: 'start', thenAction: 'start' },
    );
  }
  return out;
}
