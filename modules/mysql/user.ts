// mysql_user: an account with a password and privileges. Reads mysql.user and SHOW GRANTS, compares the
// password with the stored mysql_native_password hash (computed here, never sent), and issues only the
// CREATE/ALTER/GRANT/REVOKE statements that differ. Statements travel on stdin.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../engine/errors';
import type { FileDiff, ModuleContext, ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { queryRows, runSql } from './client';
import { describeGrants, grantStatements, parseGrants, wantedGrants, type GrantMap } from './grants';
import { checkLogin, type MysqlLogin } from './login';
import { sqlAccount, sqlString } from './sql';

export interface MysqlUserParams {
  readonly name: string;
  /** Default '%'. */
  readonly host?: string;
  readonly password?: string;
  /** 'always' (default): make the password match; 'on_create': set it only when creating the user. */
  readonly updatePassword?: 'always' | 'on_create';
  /** Target -> privileges, e.g. { '*.*': ['REPLICATION SLAVE'] }; omitted: grants are not managed. */
  readonly privileges?: Readonly<Record<string, readonly string[]>>;
  /** Only add privileges, never revoke. */
  readonly appendPrivileges?: boolean;
  readonly state?: 'present' | 'absent';
  readonly login?: MysqlLogin;
}

export interface MysqlUserResult extends ModuleResult {
  readonly existed: boolean;
  /** Statements run (or that would run), secrets shown as '********'. */
  readonly statements: readonly string[];
}

/** MySQL's mysql_native_password hash: '*' + upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return '*' + createHash('sha1').update(inner).digest('hex').toUpperCase();
}

interface Account {
  readonly plugin: string;
  readonly hash: string;
}

async function readAccount(ctx: ModuleContext, p: MysqlUserParams, host: string): Promise<Account | undefined> {
  const rows = await queryRows(ctx, p.login, `SELECT * FROM mysql.user WHERE User = ${sqlString(p.name)} AND Host = ${sqlString(host)}`);
  const row = rows[0];
  if (!row) return undefined;
  // MariaDB < 10.4 and MySQL 5.6 keep the hash in Password; newer ones in authentication_string.
  const hash = row.authentication_string || row.Password || '';
  return { plugin: row.plugin ?? '', hash };
}

async function readGrants(ctx: ModuleContext, p: MysqlUserParams, host: string): Promise<GrantMap> {
  const rows = await queryRows(ctx, p.login, `SHOW GRANTS FOR ${sqlAccount(p.name, host)}`);
  return parseGrants(rows.map((r) => Object.values(r)[0] ?? ''));
}

export const mysqlUser = defineModule<MysqlUserParams, MysqlUserResult>({
  name: 'mysql_user',
  checkMode: true,
  describe: (p) => `mysql_user '${p.name}'@'${p.host ?? '%'}' ${p.state ?? 'present'}`,
  preflight: (p) => {
    if (!p.name) throw new ConfigError('mysql_user: empty user name');
    checkLogin(p.login, 'mysql_user');
  },
  async run(p, ctx) {
    const host = p.host ?? '%';
    if (p.password !== undefined) ctx.secret(p.password);
    const who = sqlAccount(p.name, host);
    const account = await readAccount(ctx, p, host);
    const statements: string[] = [];
    const shown: string[] = [];
    const add = (sql: string, display = sql): void => {
      statements.push(sql);
      shown.push(display);
    };
    let haveGrants: GrantMap = new Map();
    let wantGrants: GrantMap = new Map();
    if ((p.state ?? 'present') === 'absent') {
      if (account) add(`DROP USER ${who}`);
    } else {
      const pw = p.password;
      // The server gets the password's hash, never the password: MariaDB writes CREATE/ALTER USER into its
      // binary log (and the peer's relay log) as sent, so a clear password would sit in those files.
      if (!account) {
        add(
          `CREATE USER ${who}${pw !== undefined ? ` IDENTIFIED BY PASSWORD ${sqlString(nativePasswordHash(pw))}` : ''}`,
          `CREATE USER ${who}${pw !== undefined ? " IDENTIFIED BY '********'" : ''}`,
        );
      } else if (pw !== undefined && (p.updatePassword ?? 'always') === 'always') {
        const same = ['mysql_native_password', ''].includes(account.plugin) && account.hash === nativePasswordHash(pw);
        if (!same) add(`ALTER USER ${who} IDENTIFIED BY PASSWORD ${sqlString(nativePasswordHash(pw))}`, `ALTER USER ${who} IDENTIFIED BY '********'`);
      }
      if (p.privileges) {
        haveGrants = account ? await readGrants(ctx, p, host) : new Map();
        wantGrants = wantedGrants(p.privileges);
        for (const s of grantStatements(p.name, host, haveGrants, wantGrants, p.appendPrivileges ?? false)) add(s);
      }
    }
    const base = { existed: account !== undefined, statements: shown };
    const diffs: FileDiff[] =
      ctx.diff && p.privileges && shown.some((s) => /^(GRANT|REVOKE)/.test(s))
        ? [{ path: `grants of ${who}`, before: describeGrants(haveGrants) + '\n', after: describeGrants(wantGrants) + '\n' }]
        : [];
    if (!statements.length) return { ...base, changed: false, msg: `user ${who} ${p.state === 'absent' ? 'absent' : 'as wanted'}` };
    const summary = shown.map((s) => s.split(' ').slice(0, 2).join(' ')).join(', ');
    if (ctx.check) return { ...base, changed: true, msg: `would run ${summary} for ${who}`, diffs };
    await runSql(ctx, p.login, statements.join(';\n') + ';');
    return { ...base, changed: true, msg: `ran ${summary} for ${who}`, diffs };
  },
});
