// The probe table's statements. They run with the vProtect database as the default one (replicate_do_db
// filters DDL by the default database), and name the table unqualified.
import type { MysqlRow } from '../mysql/client';
import { sqlIdent, sqlString } from '../mysql/sql';
import { ModuleError } from '../../engine/errors';
import type { ProbeRow } from './record';

/** The id is the pair's auto_increment (master<->master offsets keep the two nodes' ids apart); run_id is unique. */
export const createTable = (table: string): string =>
  `CREATE TABLE IF NOT EXISTS ${sqlIdent(table)} (` +
  'id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, run_id VARCHAR(64) NOT NULL UNIQUE, file_path VARCHAR(1024) NULL, ' +
  'file_sha256 CHAR(64) NULL, written_on VARCHAR(255) NOT NULL, written_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)';

export interface NewRow {
  readonly runId: string;
  readonly file?: { readonly path: string; readonly sha256: string };
  readonly writtenOn: string;
}

/** How long the drills' rows stay: a history to read, not one row per drill forever. */
export const PROBE_ROWS_KEPT_DAYS = 90;

/** Creates the table when absent, inserts the row, drops rows older than the kept days, and selects the new id (the last result set). */
export const insertRow = (table: string, row: NewRow): string =>
  `${createTable(table)};\n` +
  `INSERT INTO ${sqlIdent(table)} (run_id, file_path, file_sha256, written_on) VALUES (` +
  `${sqlString(row.runId)}, ${row.file ? sqlString(row.file.path) : 'NULL'}, ${row.file ? sqlString(row.file.sha256) : 'NULL'}, ${sqlString(row.writtenOn)});\n` +
  `DELETE FROM ${sqlIdent(table)} WHERE written_at < NOW() - INTERVAL ${PROBE_ROWS_KEPT_DAYS} DAY;\n` +
  'SELECT LAST_INSERT_ID() AS id;';

const COLUMNS = 'id, run_id, file_path, file_sha256';

export const selectRow = (table: string, id: number): string => `SELECT ${COLUMNS} FROM ${sqlIdent(table)} WHERE id = ${Math.trunc(id)}`;

export const selectNewest = (table: string): string => `SELECT ${COLUMNS} FROM ${sqlIdent(table)} ORDER BY id DESC LIMIT 1`;

/** MariaDB's "Table ... doesn't exist": no drill wrote a record here (or its DDL has not replicated yet). */
export const isNoTable = (e: unknown): boolean => e instanceof ModuleError && /ERROR 1146\b/.test(e.message);

export function probeRow(r: MysqlRow): ProbeRow {
  const id = Number(r.id);
  if (!Number.isSafeInteger(id) || r.run_id == null) throw new ModuleError(`unexpected probe row ${JSON.stringify(r)}`);
  return { id, runId: r.run_id, filePath: r.file_path ?? null, fileSha256: r.file_sha256 ?? null };
}
