// mysql_query: run SQL and return the rows. Read-only statements (SELECT, SHOW...) run under --check
// too and report no change; anything else is a change and is only reported under --check.
import { ConfigError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { runSql, type MysqlRow } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { isReadOnly } from './sql';

export interface MysqlQueryParams {
  readonly query: string;
  readonly database?: string;
  readonly login?: MysqlLogin;
  /** Override the read-only guess: true for statements that change nothing (reruns report ok). */
  readonly readOnly?: boolean;
}

export interface MysqlQueryResult extends ModuleResult {
  /** Rows of the last statement that returned rows. */
  readonly rows: readonly MysqlRow[];
  /** Rows of every statement that returned rows, in order. */
  readonly resultSets: readonly (readonly MysqlRow[])[];
}

export const mysqlQuery = defineModule<MysqlQueryParams, MysqlQueryResult>({
  name: 'mysql_query',
  checkMode: true,
  describe: (p) => `mysql_query ${p.query.replace(/\s+/g, ' ').slice(0, 60)}`,
  preflight: (p) => {
    if (!p.query.trim()) throw new ConfigError('mysql_query: empty query');
    checkLogin(p.login, 'mysql_query');
  },
  async run(p, ctx) {
    const readOnly = p.readOnly ?? isReadOnly(p.query);
    if (!readOnly && ctx.check) return { changed: true, msg: 'would run the statements (not read-only)', rows: [], resultSets: [] };
    const sets = await runSql(ctx, p.login, p.query, { database: p.database });
    return { changed: !readOnly, msg: readOnly ? undefined : 'ran the statements', rows: sets[sets.length - 1] ?? [], resultSets: sets };
  },
});
