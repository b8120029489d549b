// mysql_survey: what a running MariaDB server is, read before anything is written: its identity (server id,
// binary and relay log basenames, GTID positions, semi-sync settings), its replication coordinates and thread
// state, where each server option comes from (file:line, or mariadbd's own command line), and its database's
// tables with their row counts. Read-only; the same under --check. A server that is not running reports only that.
import * as path from 'node:path';
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { queryRows, runSql, type MysqlRow } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { readOptionFiles, type OptionFiles } from './option-files';
import { primaryPosition, replicaStatus, type BinlogPosition, type ReplicaStatus } from './replication';
import { sqlIdent, sqlString } from './sql';

export interface LiveIdentity {
  readonly version: string;
  /** With a trailing slash, as MariaDB reports it. */
  readonly datadir: string;
  readonly serverId: number;
  readonly logBin: boolean;
  /** Absolute basename of the binary log (undefined: binary logging off). */
  readonly logBinBasename?: string;
  /** Absolute basename of the relay log: configured, or the one the replica uses, or MariaDB's default name. */
  readonly relayLogBasename: string;
  /** True when relay_log is set explicitly (else the basename is MariaDB's default or the replica's). */
  readonly relayLogSet: boolean;
  readonly binlogFormat: string;
  readonly replicateDoDb: string;
  readonly autoIncrementIncrement: number;
  readonly autoIncrementOffset: number;
  readonly bindAddress: string;
  readonly port: number;
  readonly gtidDomainId: number;
  readonly gtidBinlogPos: string;
  readonly gtidSlavePos: string;
  /**
   * The semi-sync settings and sync_binlog as SHOW GLOBAL VARIABLES prints them (ON/OFF, AFTER_SYNC, ms, 0/1);
   * the semi-sync ones missing on a server without them.
   */
  readonly semiSync: Readonly<Partial<Record<SemiSyncVariable, string>>>;
}

/**
 * The semi-synchronous replication settings read live (built into MariaDB since 10.3.3), and sync_binlog: what a
 * commit acknowledged to a client is safe against (the peer's relay log, this node's own binary log on disk).
 */
export const SEMI_SYNC_VARIABLES = [
  'rpl_semi_sync_master_enabled',
  'rpl_semi_sync_slave_enabled',
  'rpl_semi_sync_master_wait_point',
  'rpl_semi_sync_master_timeout',
  'rpl_semi_sync_master_wait_no_slave',
  'sync_binlog',
] as const;
export type SemiSyncVariable = (typeof SEMI_SYNC_VARIABLES)[number];

// SHOW rather than @@: it prints booleans as ON/OFF (SELECT @@ gives 1/0), and a variable the server lacks is
// left out instead of failing the whole survey.
const SEMI_SYNC_SQL = `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${SEMI_SYNC_VARIABLES.map((v) => `'${v}'`).join(', ')})`;

/** SHOW GLOBAL VARIABLES rows: the semi-sync ones, by name. */
export function semiSyncOf(rows: readonly MysqlRow[]): Partial<Record<SemiSyncVariable, string>> {
  const known = new Set<string>(SEMI_SYNC_VARIABLES);
  return Object.fromEntries(rows.flatMap((r) => (r.Variable_name && known.has(r.Variable_name) ? [[r.Variable_name, r.Value ?? '']] : [])));
}

export interface BinaryLog {
  readonly file: string;
  readonly size: number;
}

export interface TableCount {
  readonly table: string;
  readonly rows: number;
}

export interface MysqlSurvey extends ModuleResult {
  readonly running: boolean;
  readonly live?: LiveIdentity;
  readonly primary?: BinlogPosition;
  /** SHOW BINARY LOGS: the files a replica can still read from this server. */
  readonly binaryLogs: readonly BinaryLog[];
  readonly replica?: ReplicaStatus;
  readonly options?: OptionFiles;
  /** Server options given on mariadbd's command line (systemd unit, MYSQLD_OPTS), as --name[=value]. */
  readonly commandLine: readonly string[];
  /** The surveyed database's tables (undefined: no such database). */
  readonly tables?: readonly TableCount[];
}

export interface MysqlSurveyParams {
  /** The database whose tables are counted. */
  readonly database: string;
  readonly login?: MysqlLogin;
}

const LIVE_SQL =
  'SELECT @@version AS version, @@datadir AS datadir, @@server_id AS server_id, @@log_bin AS log_bin, ' +
  '@@log_bin_basename AS log_bin_basename, @@relay_log_basename AS relay_log_basename, @@relay_log AS relay_log, ' +
  '@@pid_file AS pid_file, @@binlog_format AS binlog_format, @@replicate_do_db AS replicate_do_db, ' +
  '@@auto_increment_increment AS aii, @@auto_increment_offset AS aio, @@bind_address AS bind_address, @@port AS port, ' +
  '@@gtid_domain_id AS gtid_domain_id, @@gtid_binlog_pos AS gtid_binlog_pos, @@gtid_slave_pos AS gtid_slave_pos';

/**
 * The relay log basename MariaDB uses: relay_log when set; else the replica's current relay file's basename;
 * else MariaDB's default, `<pid-file name>-relay-bin` in the data directory (Debian: mysqld-relay-bin).
 */
export function relayBasename(row: MysqlRow, replica: ReplicaStatus | undefined): { basename: string; set: boolean } {
  const datadir = row.datadir ?? '/var/lib/mysql/';
  if (row.relay_log_basename) return { basename: row.relay_log_basename, set: true };
  if (replica?.relayLogFile) {
    const file = replica.relayLogFile.replace(/\.\d+$/, '');
    return { basename: path.isAbsolute(file) ? file : path.join(datadir, file), set: false };
  }
  const pid = path.basename(row.pid_file ?? 'mysqld.pid').replace(/\.pid$/, '');
  return { basename: path.join(datadir, `${pid}-relay-bin`), set: false };
}

function liveIdentity(row: MysqlRow, replica: ReplicaStatus | undefined, variables: readonly MysqlRow[]): LiveIdentity {
  const relay = relayBasename(row, replica);
  return {
    version: row.version ?? '',
    datadir: row.datadir ?? '/var/lib/mysql/',
    serverId: Number(row.server_id ?? 0),
    logBin: row.log_bin === '1',
    logBinBasename: row.log_bin === '1' ? (row.log_bin_basename ?? undefined) : undefined,
    relayLogBasename: relay.basename,
    relayLogSet: relay.set,
    binlogFormat: row.binlog_format ?? '',
    replicateDoDb: row.replicate_do_db ?? '',
    autoIncrementIncrement: Number(row.aii ?? 1),
    autoIncrementOffset: Number(row.aio ?? 1),
    bindAddress: row.bind_address ?? '',
    port: Number(row.port ?? 3306),
    gtidDomainId: Number(row.gtid_domain_id ?? 0),
    gtidBinlogPos: row.gtid_binlog_pos ?? '',
    gtidSlavePos: row.gtid_slave_pos ?? '',
    semiSync: semiSyncOf(variables),
  };
}

/** mariadbd's arguments after argv[0] that are options (a server started with --log-bin=... by its unit, say). */
async function commandLine(ctx: ModuleContext): Promise<string[]> {
  const r = await probe(ctx, 'p=$(pgrep -o -x mariadbd || pgrep -o -x mysqld) && tr "\\0" "\\n" < /proc/$p/cmdline');
  return r.code === 0 ? r.stdout.split('\n').slice(1).filter((a) => a.startsWith('--')) : [];
}

async function tableCounts(ctx: ModuleContext, login: MysqlLogin | undefined, database: string): Promise<TableCount[] | undefined> {
  const schema = await queryRows(ctx, login, `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(database)}`);
  if (!schema.length) return undefined;
  const tables = await queryRows(
    ctx,
    login,
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${sqlString(database)} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
  );
  if (!tables.length) return [];
  const counts = await queryRows(
    ctx,
    login,
    tables.map((r) => `SELECT ${sqlString(r.t ?? '')} AS t, COUNT(*) AS n FROM ${sqlIdent(database)}.${sqlIdent(r.t ?? '')}`).join(' UNION ALL '),
  );
  return counts.map((r) => ({ table: r.t ?? '', rows: Number(r.n ?? 0) }));
}

export interface LiveState {
  readonly live: LiveIdentity;
  readonly primary?: BinlogPosition;
  readonly replica?: ReplicaStatus;
}

/** The running server's identity, binlog position and replica status in one round trip. */
export async function readLive(ctx: ModuleContext, login: MysqlLogin | undefined): Promise<LiveState> {
  const [liveRows, ...rest] = await runSql(ctx, login, `${LIVE_SQL};\nSHOW MASTER STATUS;\nSHOW SLAVE STATUS;\n${SEMI_SYNC_SQL};`);
  // Result sets: the SELECT, then SHOW MASTER STATUS, SHOW SLAVE STATUS and the variables (each may be empty: no set printed).
  const primary = primaryPosition(rest.find((rows) => rows[0]?.File !== undefined && rows[0]?.Position !== undefined) ?? []);
  const replica = replicaStatus(rest.find((rows) => rows[0]?.Slave_IO_Running !== undefined) ?? []);
  const variables = rest.find((rows) => rows[0]?.Variable_name !== undefined) ?? [];
  return { live: liveIdentity(liveRows?.[0] ?? {}, replica, variables), primary, replica };
}

/** Read the whole survey; `running: false` when the server does not answer on its socket. */
export async function surveyServer(ctx: ModuleContext, p: MysqlSurveyParams): Promise<MysqlSurvey> {
  let state: LiveState;
  try {
    state = await readLive(ctx, p.login);
  } catch (e) {
    if (e instanceof ModuleError && /ERROR 2002|Can't connect to local (MySQL|MariaDB) server|mysql: (command )?not found/.test(e.message)) {
      return { changed: false, msg: 'MariaDB is not running', running: false, binaryLogs: [], commandLine: [] };
    }
    throw e;
  }
  const { live, primary, replica } = state;
  const binaryLogs = live.logBin
    ? (await queryRows(ctx, p.login, 'SHOW BINARY LOGS')).map((r) => ({ file: r.Log_name ?? '', size: Number(r.File_size ?? 0) }))
    : [];
  const [options, cmd, tables] = [await readOptionFiles(ctx), await commandLine(ctx), await tableCounts(ctx, p.login, p.database)];
  const msg =
    `server_id ${live.serverId}, binary log ${live.logBinBasename ? `${path.basename(live.logBinBasename)}${primary ? ` at ${primary.file}:${primary.position}` : ''}` : 'off'}, ` +
    `relay log ${path.basename(live.relayLogBasename)}, ` +
    (replica ? `replica of ${replica.masterHost} (IO ${replica.ioState || 'No'}, SQL ${replica.sqlRunning ? 'Yes' : 'No'})` : 'not a replica');
  return { changed: false, msg, running: true, live, primary, binaryLogs, replica, options, commandLine: cmd, tables };
}

export const mysqlSurvey = defineModule<MysqlSurveyParams, MysqlSurvey>({
  name: 'mysql_survey',
  checkMode: true,
  describe: (p) => `survey the MariaDB server (database ${p.database})`,
  preflight: (p) => checkLogin(p.login, 'mysql_survey'),
  run: (p, ctx) => surveyServer(ctx, p),
});
