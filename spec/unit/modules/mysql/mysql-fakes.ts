// A fake host running a scripted `mysql` client: answers by the SQL it receives on stdin, records it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FakeConnection } from '../../../support/fake-connection';
import { fakeHost } from '../../../support/module-context';

export const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../fixtures/mysql', name), 'utf8');

const PREAMBLE = /^SET SESSION sql_mode = REPLACE\(@@SESSION\.sql_mode, 'NO_BACKSLASH_ESCAPES', ''\);\n/;

/** One `-X` result set with the given rows (all values strings, null for NULL). */
export function resultSet(rows: readonly Record<string, string | null>[], statement = 'q'): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = rows
    .map((r) => `  <row>\n${Object.entries(r).map(([k, v]) => (v === null ? `\t<field name="${k}" xsi:nil="true" />` : `\t<field name="${k}">${esc(v)}</field>`)).join('\n')}\n  </row>\n`)
    .join('');
  return `<?xml version="1.0"?>\n\n<resultset statement="${statement}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${body}</resultset>\n`;
}

export type SqlAnswer = string | { readonly code: number; readonly stderr: string } | (() => string);

export interface MysqlHost {
  readonly host: FakeConnection;
  /** SQL received by the mysql client, one entry per invocation, without the session preamble. */
  readonly sql: string[];
}

/** `answers`: the first regex matching the received SQL gives the stdout (or a failure); default: no rows. */
export function mysqlHost(name: string, answers: readonly (readonly [RegExp, SqlAnswer])[]): MysqlHost {
  const host = fakeHost(name);
  const sql: string[] = [];
  host.on(/^mysql( |$)/, (_cmd, opts) => {
    const text = String(opts.stdin ?? '').replace(PREAMBLE, '').trim();
    sql.push(text);
    const hit = answers.find(([re]) => re.test(text));
    const found = hit?.[1] ?? '';
    const a = typeof found === 'function' ? found() : found;
    return typeof a === 'string' ? { stdout: a } : { code: a.code, stderr: a.stderr };
  });
  host.on(/^rm -f \/tmp\/\.mysql-client-[0-9a-f]{16}\.cnf$/, { code: 0 });
  return { host, sql };
}

/** Statements that could change something. */
export const changingSql = (sql: readonly string[]): string[] => sql.filter((s) => !/^(SELECT|SHOW)\b/i.test(s));
