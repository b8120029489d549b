// Rows one server holds that another lacks, per table: what loading the other's dump over it would destroy.
// Tables whose CHECKSUM TABLE agrees hold the same rows; the others are compared row by row on a digest of
// every column (a multiset: a row kept twice on one side counts twice). A table only the first server has, or
// one whose columns differ, counts whole.
import type { ModuleContext } from '../../engine/types';
import { queryRows } from './client';
import type { MysqlLogin } from './login';
import { sqlIdent, sqlString } from './sql';

export interface TableRows {
  readonly table: string;
  readonly rows: number;
}

export interface RowsComparison {
  /** Tables and rows on the server compared (the one whose rows would go). */
  readonly tables: number;
  readonly rows: number;
  /** Its rows the other server lacks, per table (only tables with some). */
  readonly missing: readonly TableRows[];
  readonly missingTotal: number;
}

type Columns = Map<string, string[]>;

async function columns(ctx: ModuleContext, login: MysqlLogin | undefined, database: string, exclude: readonly string[]): Promise<Columns> {
  const rows = await queryRows(
    ctx,
    login,
    `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ` +
      `ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE' ` +
      `WHERE c.TABLE_SCHEMA = ${sqlString(database)} ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
  );
  const out: Columns = new Map();
  for (const r of rows) {
    const t = r.t ?? '';
    if (exclude.includes(t)) continue;
    out.set(t, [...(out.get(t) ?? []), r.c ?? '']);
  }
  return out;
}

async function checksums(ctx: ModuleContext, login: MysqlLogin | undefined, database: string, tables: readonly string[]): Promise<Map<string, string>> {
  if (!tables.length) return new Map();
  const rows = await queryRows(ctx, login, `CHECKSUM TABLE ${tables.map((t) => `${sqlIdent(database)}.${sqlIdent(t)}`).join(', ')}`);
  return new Map(rows.map((r) => [(r.Table ?? '').split('.').slice(1).join('.'), r.Checksum ?? '']));
}

async function counts(ctx: ModuleContext, login: MysqlLogin | undefined, database: string, tables: readonly string[]): Promise<Map<string, number>> {
  if (!tables.length) return new Map();
  const rows = await queryRows(ctx, login, tables.map((t) => `SELECT ${sqlString(t)} AS t, COUNT(*) AS n FROM ${sqlIdent(database)}.${sqlIdent(t)}`).join(' UNION ALL '));
  return new Map(rows.map((r) => [r.t ?? '', Number(r.n ?? 0)]));
}

/** One digest per row over every column, NULL told apart from the string 'NULL' (QUOTE). */
async function digests(ctx: ModuleContext, login: MysqlLogin | undefined, database: string, table: string, cols: readonly string[]): Promise<Map<string, number>> {
  const expr = `MD5(CONCAT_WS(',', ${cols.map((c) => `QUOTE(${sqlIdent(c)})`).join(', ')}))`;
  const rows = await queryRows(ctx, login, `SELECT ${expr} AS h FROM ${sqlIdent(database)}.${sqlIdent(table)}`);
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.h ?? '', (out.get(r.h ?? '') ?? 0) + 1);
  return out;
}

/** The rows of `database` on `mine` that `other` lacks (tables in `exclude` are skipped on both). */
export async function rowsOnlyOn(
  mine: ModuleContext,
  other: ModuleContext,
  login: MysqlLogin | undefined,
  database: string,
  exclude: readonly string[] = [],
  otherLogin: MysqlLogin | undefined = login,
): Promise<RowsComparison> {
  const [myCols, theirCols] = await Promise.all([columns(mine, login, database, exclude), columns(other, otherLogin, database, exclude)]);
  const tables = [...myCols.keys()];
  const myCounts = await counts(mine, login, database, tables);
  const shared = tables.filter((t) => JSON.stringify(theirCols.get(t)) === JSON.stringify(myCols.get(t)));
  const [mySums, theirSums] = await Promise.all([checksums(mine, login, database, shared), checksums(other, otherLogin, database, shared)]);
  const missing: TableRows[] = [];
  for (const t of tables) {
    const mineRows = myCounts.get(t) ?? 0;
    if (!mineRows) continue;
    if (!shared.includes(t)) {
      missing.push({ table: t, rows: mineRows });
      continue;
    }
    if (mySums.get(t) === theirSums.get(t)) continue;
    const cols = myCols.get(t)!;
    const [a, b] = await Promise.all([digests(mine, login, database, t, cols), digests(other, otherLogin, database, t, cols)]);
    let n = 0;
    for (const [h, k] of a) n += Math.max(0, k - (b.get(h) ?? 0));
    if (n) missing.push({ table: t, rows: n });
  }
  const rows = [...myCounts.values()].reduce((x, y) => x + y, 0);
  return { tables: tables.length, rows, missing, missingTotal: missing.reduce((x, m) => x + m.rows, 0) };
}

export const describeMissing = (m: readonly TableRows[]): string => m.map((x) => `${x.table}: ${x.rows}`).join(', ');
