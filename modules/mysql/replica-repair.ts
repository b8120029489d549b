// mysql_replica_repair: a replica that already follows its source, brought back to running without losing or
// replaying an event. Each state gets its own answer, decided before anything changes:
//   running ............................ nothing to do
//   stopped, no error .................. START SLAVE (it resumes where it stopped)
//   wrong user or password (1045) ...... the credentials changed in place (CHANGE MASTER keeps the coordinates)
//   relay log gone (renamed relay_log) . relay log rebuilt from the source at the coordinates it had applied
//   source renamed its binary log ...... resumed at the start of the source's new log, when the replica had
//                                        applied the old one to its end (read with mysqlbinlog on the source)
//   an SQL error, or events it cannot reach: refused, with the replica's own error and the coordinates.
// The diagnosis alone is `diagnoseReplica`, for checks that must refuse before any host is touched.
import * as path from 'node:path';
import type { HostName, ModuleContext, ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { queryRows, runSql } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { readReplica, waitRunning, type BinlogPosition, type ReplicaStatus } from './replication';
import { sqlString } from './sql';

export interface ReplicaSource {
  /** The inventory host of the source (read over its own connection). */
  readonly host: string;
  /** The address the replica connects to. */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export type ReplicaDiagnosis =
  | { readonly kind: 'running'; readonly why: string }
  | { readonly kind: 'start'; readonly why: string }
  | { readonly kind: 'credentials'; readonly why: string }
  | { readonly kind: 'resume'; readonly at: BinlogPosition; readonly why: string }
  | { readonly kind: 'refuse'; readonly why: string };

/** Binlog events that carry no data: a position followed only by these is the end of the log's data. */
const NO_DATA_EVENTS = new Set(['Start', 'Format_desc', 'Stop', 'Rotate', 'Gtid_list', 'Binlog_checkpoint']);

const coords = (p: { file: string; position: number }): string => `${p.file}:${p.position}`;

/** MariaDB's master.info: line 4 host, 5 user, 6 password (the file MariaDB keeps, mode 0660). */
export function masterInfoCredentials(text: string): { user: string; password: string } | undefined {
  const lines = text.split('\n');
  return lines.length >= 6 ? { user: lines[4] ?? '', password: lines[5] ?? '' } : undefined;
}

/** Event type names in `mysqlbinlog` output ("#261201 21:07:26 server id 1  end_log_pos 1299 CRC32 0x.. \tStop"). */
export function binlogEventTypes(mysqlbinlog: string): string[] {
  return mysqlbinlog
    .split('\n')
    .flatMap((l) => {
      const m = /^#\d{6}\s+\d{1,2}:\d{2}:\d{2} server id \d+\s+end_log_pos \d+(?: CRC32 0x[0-9a-f]+)?\s+(\S+)/.exec(l);
      return m ? [m[1]!.replace(/:$/, '')] : [];
    })
    .map((t) => (t === 'GTID' ? 'Gtid' : t));
}

async function datadir(ctx: ModuleContext, login: MysqlLogin | undefined): Promise<string> {
  return (await queryRows(ctx, login, 'SELECT @@datadir AS d'))[0]?.d ?? '/var/lib/mysql/';
}

/** What the source wrote after `at` in its old binary log series (files not in its index any more). */
async function dataAfter(sourceCtx: ModuleContext, dir: string, at: BinlogPosition): Promise<{ found: boolean; events: string[]; files: string[] }> {
  const base = at.file.replace(/\.\d+$/, '');
  const ls = await probe(sourceCtx, sh`ls -1 -- ${dir}`);
  const series = ls.stdout
    .split('\n')
    .filter((f) => f.startsWith(`${base}.`) && /\.\d+$/.test(f) && f >= at.file)
    .sort();
  if (!series.includes(at.file)) return { found: false, events: [], files: [] };
  const events: string[] = [];
  for (const f of series) {
    const start = f === at.file ? sh` --start-position=${at.position}` : '';
    const r = await probe(sourceCtx, `mysqlbinlog${start} ` + sh`${path.join(dir, f)}`);
    if (r.code !== 0) throw new ModuleError(`mysqlbinlog on ${sourceCtx.host} cannot read ${f}: ${r.stderr.trim().slice(-300)}`);
    // Every printed file begins with its format description, whatever the start position.
    events.push(...binlogEventTypes(r.stdout).filter((t) => !NO_DATA_EVENTS.has(t)));
  }
  return { found: true, events, files: series };
}

/** Why `replica` (this context) does not simply run, and what would bring it back without losing an event. */
export async function diagnoseReplica(ctx: ModuleContext, source: ReplicaSource, login: MysqlLogin | undefined): Promise<ReplicaDiagnosis> {
  const r = await readReplica(ctx, login);
  const me = ctx.host;
  if (!r) return { kind: 'refuse', why: `${me} is not a replica of ${source.host}` };
  const sourceCtx = ctx.on(source.host as HostName);
  const executed: BinlogPosition = { file: r.relayMasterLogFile, position: r.execMasterLogPos };
  const from = `${me} replicates ${source.host} from ${coords(executed)}`;
  if (r.lastSqlErrno && r.lastSqlErrno !== 1594) {
    return {
      kind: 'refuse',
      why:
        `${from} but its SQL thread stopped there with error ${r.lastSqlErrno}: ${r.lastSqlError}; the role will not skip the event ` +
        `(a row would be lost or overwritten): make that row agree on ${me}, then START SLAVE there and run again`,
    };
  }
  const sourceLogs = (await queryRows(sourceCtx, login, 'SHOW BINARY LOGS').catch(() => [])).map((x) => x.Log_name ?? '');
  if (!sourceLogs.length) return { kind: 'refuse', why: `${from} but ${source.host} writes no binary log (log_bin is off there)` };
  if (executed.file && !sourceLogs.includes(executed.file)) {
    const dir = await datadir(sourceCtx, login);
    const after = await dataAfter(sourceCtx, dir, executed);
    const first = sourceLogs[0]!;
    const newSeries = first.replace(/\.\d+$/, '') !== executed.file.replace(/\.\d+$/, '');
    if (after.found && !after.events.length && newSeries && /\.0*1$/.test(first)) {
      return {
        kind: 'resume',
        at: { file: first, position: 4 },
        why:
          `${source.host} renamed its binary log (${executed.file.replace(/\.\d+$/, '')} -> ${first.replace(/\.\d+$/, '')}); ${me} had applied the old one ` +
          `to its end (${coords(executed)}, nothing written after it): ${me} resumes at the start of the new one, ${first}:4`,
      };
    }
    return {
      kind: 'refuse',
      why:
        `${from}, which ${source.host} no longer serves (its binary logs: ${sourceLogs.join(', ')})` +
        (after.found && after.events.length
          ? `; ${after.events.length} event(s) after that position in ${after.files.join(', ')} were never applied on ${me}`
          : after.found
            ? `; ${source.host}'s current log ${first} does not start the new series`
            : `; ${executed.file} is gone from ${source.host}`) +
        `: resuming anywhere would skip or replay rows. Compare the databases, then point ${me} at the right position by hand`,
    };
  }
  const relayPresent = r.relayLogFile !== '' && (await probe(ctx, sh`test -e ${path.join(await datadir(ctx, login), r.relayLogFile)}`)).code === 0;
  const relayBase = (await queryRows(ctx, login, 'SELECT @@relay_log_basename AS b'))[0]?.b;
  const relayRenamed = relayBase !== null && relayBase !== undefined && path.basename(relayBase) !== r.relayLogFile.replace(/\.\d+$/, '');
  if (!relayPresent || relayRenamed || r.lastSqlErrno === 1594) {
    return {
      kind: 'resume',
      at: executed,
      why:
        `${me}'s relay log ${r.relayLogFile || '(none)'} ${relayPresent ? `is not the relay log it now writes (${path.basename(relayBase ?? '')})` : 'is gone'}: ` +
        `it is fetched again from ${source.host} at ${coords(executed)}, the last event ${me} applied`,
    };
  }
  if (r.lastIoErrno === 1236) {
    return { kind: 'refuse', why: `${from} but ${source.host} cannot send from there: ${r.lastIoError}` };
  }
  const info = (await ctx.conn.get(path.join(await datadir(ctx, login), 'master.info'), { become: ctx.become }))?.toString('utf8');
  const stored = info === undefined ? undefined : masterInfoCredentials(info);
  if (r.lastIoErrno === 1045 || r.masterUser !== source.user || (stored !== undefined && stored.password !== source.password)) {
    return { kind: 'credentials', why: `${me} logs in to ${source.host} with other credentials than the role's replication user: they are replaced, the coordinates (${coords(executed)}) kept` };
  }
  if (!r.ioRunning || !r.sqlRunning) return { kind: 'start', why: `${from}; its threads are stopped (IO ${r.ioState || 'No'}, SQL ${r.sqlRunning ? 'Yes' : 'No'}): started where they stopped` };
  return { kind: 'running', why: `${from}, running` };
}

export interface MysqlReplicaRepairParams {
  readonly source: ReplicaSource;
  /** Wait this long for both threads to run afterwards (default 60). */
  readonly waitRunningSeconds?: number;
  readonly login?: MysqlLogin;
}

export interface MysqlReplicaRepairResult extends ModuleResult {
  readonly diagnosis: ReplicaDiagnosis;
  readonly replica?: ReplicaStatus;
}

function change(source: ReplicaSource, at?: BinlogPosition): string {
  return (
    `CHANGE MASTER TO MASTER_HOST = ${sqlString(source.address)}, MASTER_PORT = ${source.port}, ` +
    `MASTER_USER = ${sqlString(source.user)}, MASTER_PASSWORD = ${sqlString(source.password)}` +
    (at ? `, MASTER_LOG_FILE = ${sqlString(at.file)}, MASTER_LOG_POS = ${at.position}` : '')
  );
}

export const mysqlReplicaRepair = defineModule<MysqlReplicaRepairParams, MysqlReplicaRepairResult>({
  name: 'mysql_replica_repair',
  checkMode: true,
  describe: (p) => `replica of ${p.source.host} running, repaired without losing an event`,
  preflight: (p) => {
    checkLogin(p.login, 'mysql_replica_repair');
    if (!p.source.host || !p.source.address || !p.source.user) throw new ConfigError('mysql_replica_repair: source host, address and user are required');
  },
  async run(p, ctx) {
    ctx.secret(p.source.password);
    const d = await diagnoseReplica(ctx, p.source, p.login);
    if (d.kind === 'refuse') throw new ModuleError(`${ctx.host}: ${d.why}`);
    if (d.kind === 'running') return { changed: false, msg: d.why, diagnosis: d };
    const verb = d.kind === 'start' ? 'start the replica' : d.kind === 'credentials' ? 'replace the replication credentials' : `resume at ${coords(d.at)}`;
    if (ctx.check) return { changed: true, msg: `would ${verb}: ${d.why}`, diagnosis: d };
    const sql =
      d.kind === 'start'
        ? 'START SLAVE'
        : d.kind === 'credentials'
          ? `STOP SLAVE; CHANGE MASTER TO MASTER_USER = ${sqlString(p.source.user)}, MASTER_PASSWORD = ${sqlString(p.source.password)}; START SLAVE`
          : `STOP SLAVE; RESET SLAVE ALL; ${change(p.source, d.at)}; START SLAVE`;
    await runSql(ctx, p.login, sql + ';');
    const replica = await waitRunning(ctx, p.login, p.waitRunningSeconds ?? 60);
    return { changed: true, msg: `${verb}: ${d.why}`, diagnosis: d, replica };
  },
});
