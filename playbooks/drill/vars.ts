// The variables the drill reads, each with the declaration of the role that owns it (the same rule and default),
// plus its own; checked when its tasks are built, so a bad value stops the run before any host is touched.
import { z } from 'zod';
import type { HostView, Vars } from '../../engine/dsl';
import { ConfigError } from '../../engine/errors';
import { pacemakerVars } from '../../roles/pacemaker/vars';
import { mariadbVars } from '../../roles/mariadb_master_master/vars';
import { registrationVars } from '../../roles/vprotect_registration/vars';
import { storageVars } from '../../roles/shared/storage-vars';

export const drillVars = z.object({
  cluster_vip: pacemakerVars.shape.cluster_vip,
  vprotect_api_url: registrationVars.shape.vprotect_api_url,
  mariadb_database: mariadbVars.shape.mariadb_database,
  mariadb_root_password: mariadbVars.shape.mariadb_root_password,
  drbd_enabled: storageVars.drbd_enabled,
  data_mount: storageVars.data_mount,
  /** The API the drill watches from the controller; unset: vprotect_api_url with the floating IP as its host. */
  drill_api_url: z.url().optional(),
  /** How long the API may take to answer on the floating IP after each move before the drill fails. */
  drill_api_wait_seconds: z.number().int().positive().default(600),
  /** How long the probe row may take to be applied on the node that took over (replication applies it after the commit). */
  drill_replication_wait_seconds: z.number().int().nonnegative().default(30),
});
export type DrillVars = z.output<typeof drillVars>;

/** The host's drill variables, validated; a ConfigError names every bad one. */
export function drillVarsOf(h: HostView<Vars>): DrillVars {
  const mine = Object.fromEntries(Object.keys(drillVars.shape).flatMap((k) => (k in h.vars ? [[k, h.vars[k]]] : [])));
  const r = drillVars.safeParse(mine, { error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? `is required (${iss.expected})` : undefined) });
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `variable '${i.path.map(String).join('.')}': ${i.message}`);
  throw new ConfigError(`failover.ts drill, host ${h.name}: ${issues.join('; ')} (set it in group_vars/ or host_vars/ of the inventory, or with -e)`);
}

/** The API the drill watches: drill_api_url, else the role's vprotect_api_url on the floating IP. */
export function drillApiUrl(v: DrillVars): string {
  if (v.drill_api_url !== undefined) return v.drill_api_url;
  const u = new URL(v.vprotect_api_url);
  u.hostname = v.cluster_vip;
  return u.href;
}
