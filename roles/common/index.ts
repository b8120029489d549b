// common: what both nodes need before any cluster work (the how-to's "Preparing the environment").
import type { HostView } from '../../engine/dsl';
import { dslFor, role } from '../../engine/dsl';
import { hostsEntry } from '../../modules/hosts_entry';
import { packageModule } from '../../modules/package';
import { service } from '../../modules/service';
import { firewalld } from '../../modules/firewalld';
import { selinux } from '../../modules/selinux';
import { userPassword } from '../../modules/user_password';
import { nodeAddress } from '../shared/cluster';
import { preferredNodeCheck } from '../shared/checks';
import { commonVars, type CommonVars } from './vars';

const { task } = dslFor<CommonVars>();
type H = HostView<CommonVars>;

/** The cluster stack by OS family and release: the how-to's `yum install pacemaker pcs psmisc policycoreutils-python`. */
export function clusterPackages(h: H): string[] {
  const f = h.facts;
  // corosync-qdevice: the nodes' side of the arbiter, when the cluster has one.
  const base = ['pacemaker', 'pcs', 'psmisc', ...(h.vars.pacemaker_quorum_device ? ['corosync-qdevice'] : [])];
  if (f.os.family === 'RedHat') return [...base, f.os.major <= 7 ? 'policycoreutils-python' : 'policycoreutils-python-utils'];
  return [...base, 'corosync', 'resource-agents', 'pacemaker-cli-utils'];
}

export const common = role({
  name: 'common',
  tags: ['common'],
  vars: commonVars,
  tasks: [
    preferredNodeCheck<CommonVars>('common'),
    task({
      name: 'Remove 127.0.0.1 <hostname> and list every node in /etc/hosts',
      when: (h) => h.vars.common_fix_etc_hosts,
      action: (h) =>
        hostsEntry({
          removeFromLoopback: [...new Set([h.facts.hostname, h.name])],
          entries: h.playHosts.map((n) => ({ ip: nodeAddress(h, n), names: [n] })),
        }),
    }),
    task({
      name: 'Install the cluster stack',
      action: (h) => packageModule({ name: [...clusterPackages(h), ...h.vars.common_extra_packages], state: 'present' }),
    }),
    task({
      name: 'Allow high-availability traffic through firewalld',
      when: (h) => h.vars.common_manage_firewall,
      action: () => firewalld({ services: ['high-availability'], state: 'enabled' }),
    }),
    task({
      name: 'Allow DRBD and MariaDB replication ports through firewalld',
      when: (h) => h.vars.common_manage_firewall,
      action: (h) => firewalld({ ports: [...(h.vars.drbd_enabled ? [`${h.vars.drbd_port}/tcp`] : []), `${h.vars.mariadb_port}/tcp`], state: 'enabled' }),
    }),
    task({
      name: 'SELinux: permissive only when asked',
      when: (h) => h.vars.common_selinux_permissive,
      action: () => selinux({ state: 'permissive' }),
    }),
    task({
      name: 'SELinux: let DRBD run under enforcing',
      when: (h) => !h.vars.common_selinux_permissive && h.vars.drbd_enabled,
      action: () => selinux({ permissiveTypes: ['drbd_t'] }),
    }),
    task({
      name: 'Set the hacluster password',
      noLog: true,
      action: (h) => userPassword({ user: 'hacluster', password: h.vars.hacluster_password }),
    }),
    task({
      name: 'Enable and start pcsd',
      action: () => service({ name: 'pcsd', state: 'started', enabled: true }),
    }),
    task({
      name: 'Leave cluster-managed services to the cluster at boot',
      loop: (h) => h.vars.cluster_managed_services,
      action: (_h, name: string) => service({ name, enabled: false }),
    }),
  ],
});
