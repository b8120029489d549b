// probe_record_write: a new probe record through this host (the active node): a file in the data mount,
// flushed to its disk, and a row naming it in the database, both unique to this run. Under --check it writes
// nothing and says what it would write.
import { createHash, randomBytes } from 'node:crypto';
import type { ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { absolutePath } from '../lib/params';
import { must, probe } from '../lib/exec';
import { queryRows } from '../mysql/client';
import { checkLogin, type MysqlLogin } from '../mysql/login';
import { PROBE_FILE, type ProbeRecord } from './record';
import { insertRow } from './sql';

export interface ProbeRecordWriteParams {
  readonly database: string;
  readonly table: string;
  readonly login?: MysqlLogin;
  /** The replicated data mount (it must be mounted here); none: the record is the row alone. */
  readonly dataMount?: string;
}

export interface ProbeRecordWriteResult extends ModuleResult {
  /** Undefined under --check. */
  readonly record?: ProbeRecord;
}

/** e.g. 20250611T101530Z-3fa9c2: when, and which run. */
export function newRunId(at = new Date()): string {
  return `${at.toISOString().replace(/[-:]|\.\d+/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** A few KiB no other run writes: its id, where and when, and random bytes. */
function probeContent(runId: string, host: string): string {
  return `vProtect HA drill probe record\nrun: ${runId}\nwritten on: ${host}\nwritten at: ${new Date().toISOString()}\n${randomBytes(4096).toString('hex')}\n`;
}

export const probeRecordWrite = defineModule<ProbeRecordWriteParams, ProbeRecordWriteResult, string | undefined>({
  name: 'probe_record_write',
  checkMode: true,
  describe: (p) => `probe record: ${p.dataMount ? `${p.dataMount}/${PROBE_FILE} and ` : ''}a row in ${p.database}.${p.table}`,
  preflight(p) {
    checkLogin(p.login, 'probe_record_write');
    return p.dataMount === undefined ? undefined : `${absolutePath(p.dataMount, 'probe_record_write').replace(/\/+$/, '')}/${PROBE_FILE}`;
  },
  async run(p, ctx, path) {
    const what = `${path ? `${path} and ` : ''}a row in ${p.database}.${p.table}`;
    if (ctx.check) return { changed: true, msg: `would write a new probe record on ${ctx.host}: ${what}` };
    const runId = newRunId();
    let file: ProbeRecord['file'];
    if (path) {
      const mount = path.slice(0, path.lastIndexOf('/')) || '/';
      // Not mounted: the file would land in the directory under the mount point, on no replicated disk.
      if ((await probe(ctx, sh`mountpoint -q -- ${mount}`)).code !== 0) throw new ModuleError(`${mount} is not mounted on ${ctx.host}: no replicated data to write the probe file to`);
      const content = probeContent(runId, ctx.host);
      await ctx.conn.put(path, content, { mode: 0o600, become: ctx.become });
      await must(ctx, sh`sync -- ${path} ${mount}`);
      file = { path, sha256: createHash('sha256').update(content).digest('hex') };
    }
    const rows = await queryRows(ctx, p.login, insertRow(p.table, { runId, writtenOn: ctx.host, ...(file ? { file } : {}) }), { database: p.database });
    const rowId = Number(rows[0]?.id);
    if (!Number.isSafeInteger(rowId) || rowId <= 0) throw new ModuleError(`the probe row's id did not come back from ${p.database}.${p.table} on ${ctx.host}: ${JSON.stringify(rows)}`);
    const record: ProbeRecord = { runId, rowId, ...(file ? { file } : {}) };
    return { changed: true, record, msg: `wrote probe record ${runId} on ${ctx.host}: ${file ? `${file.path} (sha256 ${file.sha256}), ` : ''}row ${rowId} of ${p.database}.${p.table}` };
  },
});
