// mariadb_master_master: the how-to's "MariaDB replication", made rerunnable and safe:
// binary logs and distinct server ids/auto-increment offsets, a replicator user, then (only while the pair is
// not replicating yet) a consistent dump of the preferred node loaded on its peer, with CHANGE MASTER both ways
// from the coordinates recorded in the dump itself and in the peer's binlog right after the load.
import { randomUUID } from 'node:crypto';
import type { HostView } from '../../engine/dsl';
import { dslFor, flushHandlers, role } from '../../engine/dsl';
import { template } from '../../modules/template';
import { assertThat } from '../../modules/assert';
import { ModuleError } from '../../engine/errors';
import { service } from '../../modules/service';
import { file } from '../../modules/file';
import { copyFromHost } from '../../modules/copy_from_host';
import {
  mysqlDump,
  mysqlLoad,
  mysqlQuery,
  mysqlReplication,
  mysqlUser,
  type MysqlDumpResult,
  type MysqlLogin,
  type MysqlQueryResult,
  type MysqlReplicationResult,
} from '../../modules/mysql';
import { isPreferred, nodeAddress, peerOf, preferredNode } from '../shared/cluster';
import { preferredNodeCheck } from '../shared/checks';
import { mariadbVars, type MariadbVars } from './vars';

const { task, block, handler } = dslFor<MariadbVars>();
type H = HostView<MariadbVars>;

/** One token per run: each node writes its own row, the other must read it back through replication. */
const RUN_TOKEN = randomUUID();
const CHECK_TABLE = 'ha_replication_check';

const login = (h: H): MysqlLogin | undefined => (h.vars.mariadb_root_password ? { user: 'root', password: h.vars.mariadb_root_password } : undefined);
/** server_id and auto_increment_offset: the host's position in the play (1, 2). */
const serverId = (h: H, host: string = h.name): number => h.playHosts.indexOf(host as never) + 1;
const confDir = (h: H): string => h.vars.mariadb_conf_dir ?? (h.facts.os.family === 'RedHat' ? '/etc/my.cnf.d' : '/etc/mysql/mariadb.conf.d');
const replica = (h: H, host: string): MysqlReplicationResult['replica'] => h.hostvars(host).registered<MysqlReplicationResult>('mariadb_replica')?.replica;
const tokenOf = (id: number): string => `${RUN_TOKEN}-${id}`;

/**
 * Each node is set to replicate from the other: the pair was seeded before, so it is never seeded again
 * (a re-dump would overwrite writes the peer took since). Threads that stopped are started, not re-seeded.
 */
function configured(h: H): boolean {
  const peer = peerOf(h);
  return replica(h, h.name)?.masterHost === nodeAddress(h, peer) && replica(h, peer)?.masterHost === nodeAddress(h, h.name);
}

export const mariadbMasterMaster = role({
  name: 'mariadb_master_master',
  tags: ['mariadb'],
  vars: mariadbVars,
  handlers: [handler({ name: 'restart mariadb', action: (h) => service({ name: h.vars.mariadb_service, state: 'restarted' }) })],
  tasks: [
    preferredNodeCheck<MariadbVars>('mariadb_master_master'),
    task({
      name: 'Binary log, server id and auto-increment offsets',
      action: (h) =>
        template({
          src: 'mariadb-replication.cnf',
          dest: `${confDir(h)}/60-vprotect-replication.cnf`,
          mode: 0o644,
          vars: {
            server_id: serverId(h),
            log_basename: h.name,
            database: h.vars.mariadb_database,
            increment: h.playHosts.length,
            offset: serverId(h),
            bind_address: h.vars.mariadb_bind_address,
            port: h.vars.mariadb_port,
          },
        }),
      notify: ['restart mariadb'],
    }),
    task({ name: 'MariaDB is running', action: (h) => service({ name: h.vars.mariadb_service, state: 'started' }) }),
    flushHandlers(),
    task({
      name: 'Replication user',
      action: (h) =>
        mysqlUser({
          name: h.vars.mariadb_replicator_user,
          host: '%',
          password: h.vars.mariadb_replicator_password,
          privileges: { '*.*': ['REPLICATION SLAVE'] },
          login: login(h),
        }),
    }),
    task({ name: 'Read the replica state', action: (h) => mysqlReplication({ mode: 'replica_status', login: login(h) }), register: 'mariadb_replica' }),
    task({
      name: 'Both nodes reported their replica state',
      action: (h) =>
        assertThat({
          that: h.hostvars(peerOf(h)).registered('mariadb_replica') !== undefined,
          msg: `${peerOf(h)} did not report its replica state (unreachable or failed): replication is not changed with one node`,
        }),
    }),
    block({
      name: 'seed the peer and connect both ways',
      when: (h) => !configured(h),
      tasks: [
        task<MysqlDumpResult>({
          name: 'Dump the database with its binlog coordinates (consistent snapshot)',
          when: (h) => isPreferred(h),
          action: (h) => mysqlDump({ databases: [h.vars.mariadb_database], dest: h.vars.mariadb_dump_path, overwrite: true, login: login(h) }),
          register: 'mariadb_dump',
        }),
        task({
          name: 'Copy the dump to the peer',
          when: (h) => !isPreferred(h),
          action: (h) => copyFromHost({ from: preferredNode(h), src: h.vars.mariadb_dump_path, mode: 0o600 }),
        }),
        task({
          name: "Load the dump over the peer's database (guarded)",
          when: (h) => !isPreferred(h),
          action: (h) =>
            mysqlLoad({ database: h.vars.mariadb_database, src: h.vars.mariadb_dump_path, force: h.vars.mariadb_replace_peer_database, forceVariable: 'mariadb_replace_peer_database', login: login(h) }),
        }),
        task({
          name: 'Peer replicates from the preferred node, from the dump coordinates',
          when: (h) => !isPreferred(h),
          action: (h) => {
            const dump = h.hostvars(preferredNode(h)).registered<MysqlDumpResult>('mariadb_dump');
            if (!dump?.binlog) throw new ModuleError(`no dump coordinates from ${preferredNode(h)}`);
            return mysqlReplication({
              mode: 'change_primary',
              primaryHost: nodeAddress(h, preferredNode(h)),
              primaryPort: h.vars.mariadb_port,
              primaryUser: h.vars.mariadb_replicator_user,
              primaryPassword: h.vars.mariadb_replicator_password,
              logFile: dump.binlog.file,
              logPos: dump.binlog.position,
              waitRunningSeconds: 60,
              login: login(h),
            });
          },
        }),
        task({
          name: "Record the peer's binlog position after the load",
          when: (h) => !isPreferred(h),
          action: (h) => mysqlReplication({ mode: 'primary_status', login: login(h) }),
          register: 'mariadb_peer_primary',
        }),
        task({
          name: 'Preferred node replicates from the peer',
          when: (h) => isPreferred(h),
          action: (h) => {
            const peer = peerOf(h);
            const pos = h.hostvars(peer).registered<MysqlReplicationResult>('mariadb_peer_primary')?.primary;
            if (!pos) throw new ModuleError(`no binlog position recorded on ${peer}`);
            return mysqlReplication({
              mode: 'change_primary',
              primaryHost: nodeAddress(h, peer),
              primaryPort: h.vars.mariadb_port,
              primaryUser: h.vars.mariadb_replicator_user,
              primaryPassword: h.vars.mariadb_replicator_password,
              logFile: pos.file,
              logPos: pos.position,
              waitRunningSeconds: 60,
              login: login(h),
            });
          },
        }),
        task({ name: 'Remove the dump', action: (h) => file({ path: h.vars.mariadb_dump_path, state: 'absent' }) }),
      ],
    }),
    task({
      name: 'Both replication threads run',
      // Started when stopped; fails with the replica's own error when they cannot run.
      action: (h) => mysqlReplication({ mode: 'start_replica', waitRunningSeconds: 30, login: login(h) }),
    }),
    task({
      name: 'Write this node’s probe row',
      when: (h) => !h.checkMode, // verifies replication; under --check nothing was set up to verify
      changedWhen: () => false, // a heartbeat row, not configuration
      action: (h) =>
        mysqlQuery({
          database: h.vars.mariadb_database,
          query:
            `CREATE TABLE IF NOT EXISTS ${CHECK_TABLE} (server_id INT PRIMARY KEY, token VARCHAR(80) NOT NULL, written_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);\n` +
            `REPLACE INTO ${CHECK_TABLE} (server_id, token) VALUES (${serverId(h)}, '${tokenOf(serverId(h))}');`,
          login: login(h),
        }),
    }),
    task<MysqlQueryResult>({
      name: 'Read the peer’s probe row here (replicated)',
      when: (h) => !h.checkMode,
      action: (h) =>
        mysqlQuery({
          database: h.vars.mariadb_database,
          query: `SELECT token FROM ${CHECK_TABLE} WHERE server_id = ${serverId(h, peerOf(h))}`,
          readOnly: true,
          login: login(h),
        }),
      until: (r, h) => r.rows?.[0]?.token === tokenOf(serverId(h, peerOf(h))),
      retries: 15,
      delay: 1,
    }),
  ],
});
