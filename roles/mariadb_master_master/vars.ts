import { z } from 'zod';
import { clusterVars, secret } from '../shared/cluster';
import { dbVars } from '../shared/db-vars';

export const mariadbVars = z.object({
  ...clusterVars,
  /** The database vProtect uses: the only one replicated. */
  mariadb_database: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, { error: 'letters, digits and _ (at most 64, MariaDB\'s limit)' }).default('vprotect'),
  mariadb_replicator_user: z.string().regex(/^[A-Za-z0-9_]{1,80}$/, { error: 'letters, digits and _ (at most 80, MariaDB\'s limit)' }).default('replicator'),
  mariadb_replicator_password: secret('mariadb_replicator_password'),
  ...dbVars,
  mariadb_bind_address: z.string().default('0.0.0.0'),
  /** root's password; unset: root logs in over the unix socket (MariaDB 10.4+ default). */
  mariadb_root_password: z.string().optional(),
  /** Directory for the replication drop-in; by OS when unset (/etc/my.cnf.d or /etc/mysql/mariadb.conf.d). */
  mariadb_conf_dir: z.string().optional(),
  /**
   * A pair that does not replicate both ways yet is seeded: the preferred node's dump is loaded over the peer's
   * database. Refused while the peer holds rows the preferred node lacks (they would vanish), unless this is true.
   * Never a standing default: pass it for the one run that should discard them (-e mariadb_replace_peer_database=true).
   */
  mariadb_replace_peer_database: z.boolean().default(false),
  /**
   * Semi-synchronous replication both ways (AFTER_SYNC): a commit on either node returns to its client only once
   * the peer has the transaction in its relay log, so a row acknowledged on the active node survives its power
   * cut, except while that node runs asynchronously after a timeout (below). false switches both directions off
   * (the pair converges to asynchronous replication, as the how-to builds it); the wait point and timeout are
   * still written, inert while it is off. Needs MariaDB 10.3.3+ (built in, no plugin). The peer's relay log is
   * not synced per event (sync_relay_log), so a cut of both nodes at once is not covered.
   */
  mariadb_semi_sync: z.boolean().default(true),
  /**
   * How long (ms) a commit waits for the peer's acknowledgement before that node falls back to asynchronous
   * replication (until the peer has caught up again). With the peer gone (a power cut, a standby node) the
   * first commit after it waits this long, once.
   */
  mariadb_semi_sync_timeout_ms: z.number().int().positive().default(10000),
  /** Where the seed dump is written on both nodes (0600, removed after loading). */
  mariadb_dump_path: z.string().default('/root/vprotect-ha-seed.sql'),
});
export type MariadbVars = z.output<typeof mariadbVars>;
