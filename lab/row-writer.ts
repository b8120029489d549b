// The power-cut writer for MariaDB: numbered rows inserted into a table of the replicated database on a lab
// host, each acknowledged only once its INSERT has committed (autocommit; with semi-synchronous replication,
// only once the peer has it in its relay log), so a row missing on the survivor after a cut is a lost commit.
import { q } from '../engine/shell';
import { missingAcked, numberedLines, startAckWriter, type RecordWriter } from './ack-writer';

export const ROWS_TABLE = 'vprotect.ha_power_cut_rows';

/** `database.table`, both plain names (they are written into SQL and a shell command unquoted). */
function splitTable(table: string): { readonly database: string; readonly name: string } {
  const m = /^([A-Za-z0-9_]{1,64})\.([A-Za-z0-9_]{1,64})$/.exec(table);
  if (!m) throw new Error(`row writer: ${JSON.stringify(table)} is not database.table (letters, digits and _)`);
  return { database: m[1]!, name: m[2]! };
}

/**
 * The host's loop. The client runs with the database as its default and the table unqualified, so
 * replicate_do_db (which filters statements by their default database) replicates the CREATE TABLE too. One
 * mysql process takes every INSERT and its `SELECT 'ack N'` in order, and prints the ack only after the INSERT
 * returned; it stops at the first error (batch mode), and the loop with it. Numbers continue after the table's
 * highest id, so a rerun or a second writer adds to the same table without a duplicate key, and 1..acked are
 * every row ever acknowledged into it.
 */
export function rowWriterScript(table: string = ROWS_TABLE): string {
  const { database, name } = splitTable(table);
  const setup = `CREATE TABLE IF NOT EXISTS ${name} (id INT PRIMARY KEY); SELECT COALESCE(MAX(id), 0) FROM ${name}`;
  return (
    `i=$(mysql -N ${database} -e ${q(setup)}) || exit 1; ` +
    `while :; do i=$((i+1)); echo "INSERT INTO ${name} VALUES ($i); SELECT 'ack $i';"; done | mysql -N --unbuffered ${database}`
  );
}

/** A row writer on the lab host at `ip`, over its own ssh (see ack-writer.ts). */
export function startRowWriter(ip: string, table: string = ROWS_TABLE): RecordWriter {
  return startAckWriter(ip, rowWriterScript(table));
}

/** The acknowledged ids (1..acked) missing from `ids`, the output of `mysql -N -e 'SELECT id FROM <table>'`. */
export function missingRows(acked: number, ids: string): number[] {
  return missingAcked(acked, numberedLines(ids, /^\s*(\d+)\s*$/));
}
