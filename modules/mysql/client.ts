// The mysql client over the connection: SQL on stdin (so passwords in statements never reach argv),
// `-X` output parsed into rows (NULL stays null; tabs and newlines in values survive).
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { parseXml, childrenNamed, XmlError } from '../lib/xml';
import { withLogin, type MysqlLogin } from './login';

/** One result row: column name -> value, null for SQL NULL. */
export type MysqlRow = Readonly<Record<string, string | null>>;

/** Our escaping assumes backslash escapes: make sure the session reads them so. */
const SESSION_PREAMBLE = "SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n";

/**
 * `mysql -X` prints one XML document per statement that returns rows (none for SET, CREATE...).
 * Returns the result sets in order.
 */
export function parseMysqlXml(stdout: string): MysqlRow[][] {
  return stdout
    .split('<?xml version="1.0"?>')
    .filter((doc) => doc.trim())
    .map((doc) => {
      let root;
      try {
        root = parseXml(doc);
      } catch (e) {
        throw new ModuleError(`cannot read the mysql client's XML output: ${(e as XmlError).message}`);
      }
      return childrenNamed(root, 'row').map((row) =>
        Object.fromEntries(childrenNamed(row, 'field').map((f) => [f.attrs.name ?? '', f.attrs['xsi:nil'] === 'true' ? null : f.text])),
      );
    });
}

export interface SqlOptions {
  /** Default database for the statements. */
  readonly database?: string;
}

/** Why a login failed, in words a sysadmin can act on. */
function hint(stderr: string, login: MysqlLogin | undefined): string {
  if (/ERROR 1045|ERROR 1698/.test(stderr)) {
    return login?.user !== undefined
      ? ` (check login.user/login.password for ${login.user})`
      : ' (no login given: the module logs in as the connecting user over the unix socket; run with become or give login.user/password)';
  }
  if (/ERROR 2002|Can't connect/.test(stderr)) return ' (is the MariaDB/MySQL server running? check login.socket/host)';
  return '';
}

/** Run statements; every result set returned. Fails with the server's error and a hint. */
export async function runSql(ctx: ModuleContext, login: MysqlLogin | undefined, sql: string, opts: SqlOptions = {}): Promise<MysqlRow[][]> {
  return withLogin(ctx, login, async (options) => {
    const db = opts.database !== undefined ? ' ' + sh`${opts.database}` : '';
    const cmd = `mysql${options ? ' ' + options : ''} -X${db}`;
    const r = await ctx.conn.exec(cmd, { become: ctx.become, stdin: SESSION_PREAMBLE + sql + '\n' });
    ctx.log(`$ ${cmd} <<SQL (exit ${r.code})`);
    if (r.code !== 0) {
      const err = r.stderr.trim() || r.stdout.trim() || 'no output';
      throw new ModuleError(`mysql on ${ctx.host} failed: ${err.slice(-600)}${hint(err, login)}`, r);
    }
    return parseMysqlXml(r.stdout);
  });
}

/** The rows of a single-statement query. */
export async function queryRows(ctx: ModuleContext, login: MysqlLogin | undefined, sql: string, opts: SqlOptions = {}): Promise<MysqlRow[]> {
  const sets = await runSql(ctx, login, sql, opts);
  return sets[sets.length - 1] ?? [];
}
