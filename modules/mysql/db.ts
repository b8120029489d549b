// mysql_db: a database present (with charset/collation) or absent. Dropping one that holds tables
// needs force: true.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { queryRows, runSql } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { sqlIdent, sqlString } from './sql';

export interface MysqlDbParams {
  readonly name: string;
  readonly state?: 'present' | 'absent';
  readonly encoding?: string;
  readonly collation?: string;
  /** Allow dropping a database that holds tables. */
  readonly force?: boolean;
  readonly login?: MysqlLogin;
}

export interface MysqlDbResult extends ModuleResult {
  readonly existed: boolean;
  readonly tables: number;
}

export interface SchemaInfo {
  readonly charset: string;
  readonly collation: string;
  readonly tables: number;
}

/** The database's charset, collation and table count, or undefined when it does not exist. */
export async function schemaInfo(ctx: Parameters<typeof queryRows>[0], login: MysqlLogin | undefined, name: string): Promise<SchemaInfo | undefined> {
  const rows = await queryRows(
    ctx,
    login,
    `SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation, ` +
      `(SELECT COUNT(*) FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = s.SCHEMA_NAME) AS tables ` +
      `FROM information_schema.SCHEMATA s WHERE SCHEMA_NAME = ${sqlString(name)}`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return { charset: row.charset ?? '', collation: row.collation ?? '', tables: Number(row.tables ?? 0) };
}

export const mysqlDb = defineModule<MysqlDbParams, MysqlDbResult>({
  name: 'mysql_db',
  checkMode: true,
  describe: (p) => `mysql_db ${p.name} ${p.state ?? 'present'}`,
  preflight: (p) => {
    if (!p.name || p.name.length > 64) throw new ConfigError(`mysql_db: invalid database name ${JSON.stringify(p.name)}`);
    checkLogin(p.login, 'mysql_db');
  },
  async run(p, ctx) {
    const info = await schemaInfo(ctx, p.login, p.name);
    const base = { existed: info !== undefined, tables: info?.tables ?? 0 };
    const apply = async (sql: string, what: string): Promise<MysqlDbResult> => {
      if (!ctx.check) await runSql(ctx, p.login, sql);
      return { ...base, changed: true, msg: ctx.check ? `would ${what}` : what };
    };
    const spec = `${p.encoding ? ` CHARACTER SET ${sqlIdent(p.encoding)}` : ''}${p.collation ? ` COLLATE ${sqlIdent(p.collation)}` : ''}`;
    if ((p.state ?? 'present') === 'absent') {
      if (!info) return { ...base, changed: false, msg: `database ${p.name} absent` };
      if (info.tables > 0 && !p.force) {
        throw new ModuleError(
          `refusing to drop database ${p.name} on ${ctx.host}: it holds ${info.tables} table(s); set force: true to drop it with its data`,
        );
      }
      return apply(`DROP DATABASE ${sqlIdent(p.name)}`, `drop database ${p.name} (${info.tables} tables)`);
    }
    if (!info) return apply(`CREATE DATABASE ${sqlIdent(p.name)}${spec}`, `create database ${p.name}`);
    const differs = (p.encoding !== undefined && p.encoding !== info.charset) || (p.collation !== undefined && p.collation !== info.collation);
    if (!differs) return { ...base, changed: false, msg: `database ${p.name} present` };
    return apply(`ALTER DATABASE ${sqlIdent(p.name)}${spec}`, `change database ${p.name} from ${info.charset}/${info.collation} to${spec}`);
  },
});
