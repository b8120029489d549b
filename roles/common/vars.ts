import { z } from 'zod';
import { clusterVars, secret } from '../shared/cluster';
import { dbVars } from '../shared/db-vars';
import { storageVars } from '../shared/storage-vars';
import { quorumVars } from '../shared/quorum-vars';

export const commonVars = z.object({
  ...clusterVars,
  /** Remove `127.0.0.1 <hostname>` from /etc/hosts (the how-to's first fix) and list every node. */
  common_fix_etc_hosts: z.boolean().default(true),
  /** Extra packages on top of the cluster stack. */
  common_extra_packages: z.array(z.string()).default([]),
  /** Open the high-availability service, DRBD and MariaDB ports when firewalld runs. */
  common_manage_firewall: z.boolean().default(true),
  /** Put SELinux in permissive mode (the how-to's test-only advice); otherwise only drbd_t is made permissive. */
  common_selinux_permissive: z.boolean().default(false),
  hacluster_password: secret('hacluster_password'),
  ...storageVars,
  ...quorumVars,
  ...dbVars,
  /** Services the cluster starts and stops: never started at boot by systemd. */
  cluster_managed_services: z.array(z.string()).default(['vprotect-server', 'vprotect-node', 'mariadb']),
});
export type CommonVars = z.output<typeof commonVars>;
