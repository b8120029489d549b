// A probe record, what a node holds of it, and what differs: pure, no host.
//
// A record is a file on the replicated data mount and a row in a MariaDB table, written together through the
// active node; the row names the run, the file and the file's sha256, so either one missing or changed shows.

/** The probe file's name, in the data mount's top directory. */
export const PROBE_FILE = '.ha-drill-probe';

export interface ProbeRecord {
  /** Unique to the run that wrote it: its UTC time and a random suffix. */
  readonly runId: string;
  /** The row's id in the table. */
  readonly rowId: number;
  /** The file and its sha256; absent where the data is not on a replicated mount. */
  readonly file?: { readonly path: string; readonly sha256: string };
}

/** A row of the table as read back. */
export interface ProbeRow {
  readonly id: number;
  readonly runId: string;
  readonly filePath: string | null;
  readonly fileSha256: string | null;
}

/** What one node holds of a record: the row with its id (if any) and the file's sha256 (undefined: no such file). */
export interface HeldRecord {
  readonly row?: ProbeRow;
  readonly fileSha256?: string;
}

/** The record a row describes (what the newest row says was written). */
export function recordOfRow(row: ProbeRow): ProbeRecord {
  return {
    runId: row.runId,
    rowId: row.id,
    ...(row.filePath !== null && row.fileSha256 !== null ? { file: { path: row.filePath, sha256: row.fileSha256 } } : {}),
  };
}

/**
 * Every way `held` differs from `want`, one phrase each. `table`: database.table, for the phrases; `waitedSeconds`:
 * how long the row was waited for (replication), said when it is missing.
 */
export function recordProblems(want: ProbeRecord, held: HeldRecord, table: string, waitedSeconds = 0): string[] {
  const problems: string[] = [];
  if (want.file) {
    if (held.fileSha256 === undefined) problems.push(`file ${want.file.path} is missing`);
    else if (held.fileSha256 !== want.file.sha256) problems.push(`file ${want.file.path} has sha256 ${held.fileSha256} instead of ${want.file.sha256}`);
  }
  const row = held.row;
  if (!row) {
    problems.push(`row ${want.rowId} is missing from ${table}${waitedSeconds > 0 ? ` (waited ${waitedSeconds} s for replication)` : ''}`);
    return problems;
  }
  if (row.runId !== want.runId) problems.push(`row ${want.rowId} of ${table} is run ${row.runId}'s, not ${want.runId}'s`);
  else if ((row.fileSha256 ?? undefined) !== want.file?.sha256) {
    problems.push(`row ${want.rowId} of ${table} records file sha256 ${row.fileSha256 ?? 'none'} instead of ${want.file?.sha256 ?? 'none'}`);
  }
  return problems;
}

/** The failure that names the host and the record. */
export function recordFailure(want: ProbeRecord, host: string, problems: readonly string[]): string {
  return `probe record ${want.runId} on ${host}: ${problems.join('; ')}`;
}

/** What was found intact, for the task's message. */
export function recordIntact(want: ProbeRecord, host: string): string {
  return `probe record ${want.runId} intact on ${host}: ${want.file ? 'file sha256 ok, ' : ''}row ${want.rowId} ok`;
}
