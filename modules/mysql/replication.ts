// mysql_replication: binlog coordinates of a primary, status of a replica, CHANGE MASTER TO (no-op when the
// replica already follows that primary and runs), and start/stop/reset of the replica threads.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { queryRows, runSql, type MysqlRow } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { sqlString } from './sql';

export interface BinlogPosition {
  readonly file: string;
  readonly position: number;
}

export interface ReplicaStatus {
  readonly ioRunning: boolean;
  readonly sqlRunning: boolean;
  /** Slave_IO_Running exactly: Yes, No or Connecting. */
  readonly ioState: string;
  readonly masterHost: string;
  readonly masterUser: string;
  readonly masterPort: number;
  readonly masterLogFile: string;
  readonly readMasterLogPos: number;
  readonly relayMasterLogFile: string;
  readonly execMasterLogPos: number;
  readonly secondsBehindMaster: number | null;
  readonly lastError: string;
  readonly lastIoError: string;
  readonly lastSqlError: string;
  /** MariaDB's error numbers of the threads (0: none), e.g. 1045 access denied, 1236 binlog gone. */
  readonly lastIoErrno: number;
  readonly lastSqlErrno: number;
  /** The relay log the SQL thread reads, e.g. "mysqld-relay-bin.000002". */
  readonly relayLogFile: string;
  /** MariaDB's Using_Gtid: No, Current_Pos or Slave_Pos. */
  readonly usingGtid: string;
}

export type MysqlReplicationParams = { readonly login?: MysqlLogin } & (
  | { readonly mode: 'primary_status' }
  | { readonly mode: 'replica_status' }
  | {
      readonly mode: 'change_primary';
      readonly primaryHost: string;
      readonly primaryUser: string;
      readonly primaryPassword: string;
      readonly primaryPort?: number;
      /** Binlog coordinates to start from, e.g. a mysqldump's; omitted: the primary's first binlog. */
      readonly logFile?: string;
      readonly logPos?: number;
      /** Start the replica threads afterwards (default true). */
      readonly start?: boolean;
      /** After starting, wait up to this long for IO and SQL threads to run; fail with the replica's own error. */
      readonly waitRunningSeconds?: number;
    }
  | { readonly mode: 'start_replica'; readonly waitRunningSeconds?: number }
  | { readonly mode: 'stop_replica' }
  | { readonly mode: 'reset_replica'; /** RESET SLAVE ALL: forget the primary too. */ readonly all?: boolean }
);

export interface MysqlReplicationResult extends ModuleResult {
  /** primary_status: this server's current binlog file and position. */
  readonly primary?: BinlogPosition;
  /** The replica status after the call (undefined: not a replica). */
  readonly replica?: ReplicaStatus;
}

export function primaryPosition(rows: readonly MysqlRow[]): BinlogPosition | undefined {
  const row = rows[0];
  if (!row?.File) return undefined;
  return { file: row.File, position: Number(row.Position ?? 0) };
}

export function replicaStatus(rows: readonly MysqlRow[]): ReplicaStatus | undefined {
  const r = rows[0];
  if (!r) return undefined;
  const s = (k: string): string => r[k] ?? '';
  const n = (k: string): number => Number(r[k] ?? 0);
  return {
    ioRunning: s('Slave_IO_Running') === 'Yes',
    sqlRunning: s('Slave_SQL_Running') === 'Yes',
    ioState: s('Slave_IO_Running'),
    masterHost: s('Master_Host'),
    masterUser: s('Master_User'),
    masterPort: n('Master_Port'),
    masterLogFile: s('Master_Log_File'),
    readMasterLogPos: n('Read_Master_Log_Pos'),
    relayMasterLogFile: s('Relay_Master_Log_File'),
    execMasterLogPos: n('Exec_Master_Log_Pos'),
    secondsBehindMaster: r.Seconds_Behind_Master === null || r.Seconds_Behind_Master === undefined ? null : Number(r.Seconds_Behind_Master),
    lastError: s('Last_Error'),
    lastIoError: s('Last_IO_Error'),
    lastSqlError: s('Last_SQL_Error'),
    lastIoErrno: n('Last_IO_Errno'),
    lastSqlErrno: n('Last_SQL_Errno'),
    relayLogFile: s('Relay_Log_File'),
    usingGtid: s('Using_Gtid') || 'No',
  };
}

export async function readReplica(ctx: ModuleContext, login: MysqlLogin | undefined): Promise<ReplicaStatus | undefined> {
  return replicaStatus(await queryRows(ctx, login, 'SHOW SLAVE STATUS'));
}

export async function readPrimary(ctx: ModuleContext, login: MysqlLogin | undefined): Promise<BinlogPosition | undefined> {
  return primaryPosition(await queryRows(ctx, login, 'SHOW MASTER STATUS'));
}

/**
 * Poll until both replica threads run. A wrong MASTER_HOST (the how-to's 10.40.10.50), user or password
 * shows up here as the IO thread's error instead of a silently broken replica.
 */
export async function waitRunning(ctx: ModuleContext, login: MysqlLogin | undefined, seconds: number): Promise<ReplicaStatus | undefined> {
  const deadline = Date.now() + seconds * 1000;
  let last: ReplicaStatus | undefined;
  for (;;) {
    last = await readReplica(ctx, login);
    if (last?.ioRunning && last.sqlRunning) return last;
    const error = last?.lastSqlError || (last?.ioRunning ? '' : last?.lastIoError) || '';
    if (error || Date.now() >= deadline) {
      throw new ModuleError(
        `replication on ${ctx.host} is not running after ${error ? 'start' : `${seconds}s`} ` +
          `(IO ${last?.ioState || 'none'}, SQL ${last?.sqlRunning ? 'Yes' : 'No'}${last ? ` from ${last.masterUser}@${last.masterHost}:${last.masterPort}` : ''})` +
          (error ? `: ${error}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function checkParams(p: MysqlReplicationParams): void {
  checkLogin(p.login, 'mysql_replication');
  if (p.mode === 'change_primary') {
    if (!p.primaryHost || !p.primaryUser) throw new ConfigError('mysql_replication change_primary: primaryHost and primaryUser are required');
    if ((p.logFile === undefined) !== (p.logPos === undefined)) {
      throw new ConfigError('mysql_replication change_primary: give logFile and logPos together (e.g. from mysqldump\'s binlog result)');
    }
    if (p.logPos !== undefined && (!Number.isInteger(p.logPos) || p.logPos < 4)) {
      throw new ConfigError(`mysql_replication change_primary: logPos ${p.logPos} is not a binlog position`);
    }
  }
}

export const mysqlReplication = defineModule<MysqlReplicationParams, MysqlReplicationResult>({
  name: 'mysql_replication',
  checkMode: true,
  describe: (p) => `mysql_replication ${p.mode}${p.mode === 'change_primary' ? ` ${p.primaryUser}@${p.primaryHost}` : ''}`,
  preflight: checkParams,
  async run(p, ctx) {
    const before = p.mode === 'primary_status' ? undefined : await readReplica(ctx, p.login);
    const wait = p.mode === 'change_primary' || p.mode === 'start_replica' ? p.waitRunningSeconds : undefined;
    const act = async (sql: string, what: string): Promise<MysqlReplicationResult> => {
      if (ctx.check) return { changed: true, msg: `would ${what}`, replica: before };
      await runSql(ctx, p.login, sql);
      const after = wait !== undefined && /START SLAVE$/.test(sql) ? await waitRunning(ctx, p.login, wait) : await readReplica(ctx, p.login);
      return { changed: true, msg: what, replica: after };
    };
    switch (p.mode) {
      case 'primary_status': {
        const primary = await readPrimary(ctx, p.login);
        if (!primary) {
          throw new ModuleError(`binary logging is off on ${ctx.host} (SHOW MASTER STATUS is empty): set log_bin (log-bin) in the [mysqld] section and restart`);
        }
        return { changed: false, msg: `${primary.file}:${primary.position}`, primary };
      }
      case 'replica_status':
        return { changed: false, msg: before ? `IO ${before.ioState}, SQL ${before.sqlRunning ? 'Yes' : 'No'}` : 'not a replica', replica: before };
      case 'start_replica':
        if (before && before.ioRunning && before.sqlRunning) return { changed: false, msg: 'replica running', replica: before };
        if (!before) throw new ModuleError(`${ctx.host} is not configured as a replica: run change_primary first`);
        return act('START SLAVE', 'start replica');
      case 'stop_replica':
        if (!before || (!before.ioRunning && before.ioState !== 'Connecting' && !before.sqlRunning)) {
          return { changed: false, msg: 'replica stopped', replica: before };
        }
        return act('STOP SLAVE', 'stop replica');
      case 'reset_replica':
        if (!before) return { changed: false, msg: 'not a replica', replica: before };
        return act(`STOP SLAVE; RESET SLAVE${p.all ? ' ALL' : ''}`, `reset replica${p.all ? ' (all)' : ''}`);
      case 'change_primary': {
        ctx.secret(p.primaryPassword);
        const port = p.primaryPort ?? 3306;
        const start = p.start ?? true;
        const same = before !== undefined && before.masterHost === p.primaryHost && before.masterUser === p.primaryUser && before.masterPort === port;
        if (same && (!start || (before.ioRunning && before.sqlRunning))) {
          return { changed: false, msg: `replicating from ${p.primaryUser}@${p.primaryHost}:${port}`, replica: before };
        }
        // Same primary but stopped: start it where it left off; new coordinates would replay or skip data.
        if (same) return act('START SLAVE', `start replica (already pointed at ${p.primaryHost})`);
        const change =
          `CHANGE MASTER TO MASTER_HOST = ${sqlString(p.primaryHost)}, MASTER_PORT = ${port}, ` +
          `MASTER_USER = ${sqlString(p.primaryUser)}, MASTER_PASSWORD = ${sqlString(p.primaryPassword)}` +
          (p.logFile !== undefined ? `, MASTER_LOG_FILE = ${sqlString(p.logFile)}, MASTER_LOG_POS = ${p.logPos}` : '');
        const from = before?.masterHost ? ` (was ${before.masterUser}@${before.masterHost}:${before.masterPort})` : '';
        const at = p.logFile !== undefined ? ` at ${p.logFile}:${p.logPos}` : '';
        return act(`STOP SLAVE; ${change}${start ? '; START SLAVE' : ''}`, `replicate from ${p.primaryUser}@${p.primaryHost}:${port}${at}${from}`);
      }
    }
  },
});
