import { z } from 'zod';
import { ipv4 } from '../../engine/validate';
import { clusterVars, secret } from '../shared/cluster';
import { dbVars } from '../shared/db-vars';
import { storageVars } from '../shared/storage-vars';
import { quorumVars } from '../shared/quorum-vars';

const duration = z.string().regex(/^[0-9]+(ms|s|m|h)?$/, { error: 'expected a duration such as 30s or 5m' });

export const pacemakerVars = z.object({
  ...clusterVars,
  cluster_name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { error: 'letters, digits, _ and - (at most 32)' }).default('vprotect'),
  hacluster_password: secret('hacluster_password'),
  /** The floating IP clients use to reach the active vProtect server. */
  cluster_vip: ipv4,
  cluster_vip_cidr_netmask: z.number().int().min(1).max(32).default(24),
  /** Interface for the floating IP; IPaddr2 finds it from the routes when unset. */
  cluster_vip_nic: z.string().optional(),
  /** Address the ping clone watches (the gateway): a node that cannot reach it loses the floating IP. */
  ping_gateway: ipv4,
  ping_dampen: duration.default('5s'),
  ping_multiplier: z.number().int().positive().default(1000),
  /** Unset: stop with an arbiter (pacemaker_quorum_device), else ignore (the how-to's two nodes). */
  pacemaker_no_quorum_policy: z.enum(['ignore', 'stop', 'freeze', 'demote']).optional(),
  ...quorumVars,
  /** The how-to runs without fencing devices; DRBD's resource-level fencing covers the data. */
  pacemaker_stonith_enabled: z.boolean().default(false),
  pacemaker_failure_timeout: duration.default('30s'),
  pacemaker_migration_threshold: z.number().int().positive().default(3),
  /** Score of the preferred node for the floating IP and vProtect services. */
  pacemaker_preferred_score: z.union([z.literal('INFINITY'), z.number().int()]).default('INFINITY'),
  /** Allow destroying a cluster configuration that is not this inventory's (e.g. Debian's default "debian"). */
  pacemaker_destroy_foreign_cluster: z.boolean().default(false),
  /** Run MariaDB as a cloned cluster resource on both nodes (they replicate master<->master). */
  pacemaker_manage_mariadb: z.boolean().default(true),
  ...dbVars,
  ...storageVars,
  /** Build the resource configuration into this CIB file only (for review or offline checks); push nothing. */
  pacemaker_cib_file: z.string().optional(),
});
export type PacemakerVars = z.output<typeof pacemakerVars>;
