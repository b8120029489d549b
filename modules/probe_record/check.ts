// probe_record_check: is a probe record intact on this host? The row is waited for a while (a peer applies it
// after its commit: semi-sync waits only for the peer's relay log, and may be off), the file's sha256 is read
// once (DRBD replicates synchronously); anything missing or different fails, naming the host and the record.
// `record: 'newest'` checks the newest row's record (the file it names) and returns it, for a run that did not
// write one itself. Read-only.
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { readRemoteFile } from '../lib/remote-file';
import { queryRows } from '../mysql/client';
import { checkLogin, type MysqlLogin } from '../mysql/login';
import { recordFailure, recordIntact, recordOfRow, recordProblems, type HeldRecord, type ProbeRecord, type ProbeRow } from './record';
import { isNoTable, probeRow, selectNewest, selectRow } from './sql';
import { ModuleError } from '../../engine/errors';

export interface ProbeRecordCheckParams {
  readonly record: ProbeRecord | 'newest';
  readonly database: string;
  readonly table: string;
  readonly login?: MysqlLogin;
  /** How long a missing row is waited for (default 30 s). */
  readonly waitSeconds?: number;
}

export interface ProbeRecordCheckResult extends ModuleResult {
  /** The host it was found intact on. */
  readonly host: string;
  /** The record found intact; undefined for 'newest' where no drill wrote one. */
  readonly record?: ProbeRecord;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The row (the newest one when id is undefined); undefined while absent, until `waitSeconds` pass. */
async function readRow(ctx: ModuleContext, p: ProbeRecordCheckParams, id: number | undefined, waitSeconds: number): Promise<ProbeRow | undefined> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    let rows: readonly ProbeRow[] = [];
    try {
      rows = (await queryRows(ctx, p.login, id === undefined ? selectNewest(p.table) : selectRow(p.table, id), { database: p.database })).map(probeRow);
    } catch (e) {
      // A server that is still starting after the move, or a table whose DDL has not replicated yet: not yet.
      if (!isNoTable(e) && Date.now() >= deadline) throw e;
    }
    if (rows[0] || Date.now() >= deadline) return rows[0];
    await sleep(1000);
  }
}

async function fileSha256(ctx: ModuleContext, path: string): Promise<string | undefined> {
  const f = await readRemoteFile(ctx, path, { depth: 'hash' });
  if (f.kind === 'absent') return undefined;
  if (f.kind !== 'file' || f.sha256 === undefined) throw new ModuleError(`probe file ${path} on ${ctx.host} is a ${f.kind}, not a regular file`);
  return f.sha256;
}

export const probeRecordCheck = defineModule<ProbeRecordCheckParams, ProbeRecordCheckResult>({
  name: 'probe_record_check',
  checkMode: true,
  describe: (p) => `probe record ${p.record === 'newest' ? 'newest' : p.record.runId} in ${p.database}.${p.table}`,
  preflight: (p) => checkLogin(p.login, 'probe_record_check'),
  async run(p, ctx) {
    const table = `${p.database}.${p.table}`;
    if (p.record === 'newest') {
      const row = await readRow(ctx, p, undefined, 0);
      if (!row) return { changed: false, host: ctx.host, msg: `no probe record in ${table} on ${ctx.host}: no drill has written one` };
      const want = recordOfRow(row);
      return verdict(want, { row, ...(want.file ? { fileSha256: await fileSha256(ctx, want.file.path) } : {}) }, table, ctx.host, 0);
    }
    const want = p.record;
    const waitSeconds = p.waitSeconds ?? 30;
    const held: HeldRecord = {
      ...(want.file ? { fileSha256: await fileSha256(ctx, want.file.path) } : {}),
      row: await readRow(ctx, p, want.rowId, waitSeconds),
    };
    return verdict(want, held, table, ctx.host, waitSeconds);
  },
});

function verdict(want: ProbeRecord, held: HeldRecord, table: string, host: string, waitedSeconds: number): ProbeRecordCheckResult {
  const problems = recordProblems(want, held, table, waitedSeconds);
  if (problems.length) throw new ModuleError(recordFailure(want, host, problems));
  return { changed: false, host, record: want, msg: recordIntact(want, host) };
}
