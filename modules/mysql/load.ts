// mysql_load: load a dump file on the host into a database. GUARD: a database that already has tables is
// not loaded over unless force: true. A marker beside the dump (DUMP.loaded: database + sha256) makes a
// rerun with the same dump a no-op.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must, probe } from '../lib/exec';
import { runSql } from './client';
import { schemaInfo } from './db';
import { checkLogin, withLogin, type MysqlLogin } from './login';
import { sqlIdent } from './sql';
import { forceSetting, type ForceVariable } from '../lib/force-hint';

export interface MysqlLoadParams extends ForceVariable {
  readonly database: string;
  /** The dump file on the host. */
  readonly src: string;
  /** Load even though the database already has tables. */
  readonly force?: boolean;
  readonly login?: MysqlLogin;
}

export interface MysqlLoadResult extends ModuleResult {
  /** Tables in the database before the load. */
  readonly tablesBefore: number;
  readonly sha256: string;
}

export const markerPath = (src: string): string => `${src}.loaded`;
export const markerContent = (database: string, sha256: string): string => `database=${database} sha256=${sha256}\n`;

export const mysqlLoad = defineModule<MysqlLoadParams, MysqlLoadResult>({
  name: 'mysql_load',
  checkMode: true,
  describe: (p) => `mysql ${p.database} < ${p.src}`,
  preflight: (p) => {
    if (!p.src.startsWith('/')) throw new ConfigError(`mysql_load: src must be an absolute path, got ${p.src}`);
    if (!p.database) throw new ConfigError('mysql_load: no database');
    checkLogin(p.login, 'mysql_load');
  },
  async run(p, ctx) {
    const sum = await probe(ctx, sh`sha256sum ${p.src}`);
    if (sum.code !== 0) throw new ModuleError(`dump ${p.src} is not readable on ${ctx.host}: ${sum.stderr.trim()}`);
    const sha256 = sum.stdout.split(/\s+/)[0] ?? '';
    const marker = (await ctx.conn.get(markerPath(p.src), { become: ctx.become }))?.toString('utf8');
    const info = await schemaInfo(ctx, p.login, p.database);
    const tablesBefore = info?.tables ?? 0;
    if (marker === markerContent(p.database, sha256) && info) {
      return { changed: false, msg: `${p.src} already loaded into ${p.database}`, tablesBefore, sha256 };
    }
    if (tablesBefore > 0 && !p.force) {
      throw new ModuleError(
        `refusing to load ${p.src} into database ${p.database} on ${ctx.host}: it already has ${tablesBefore} table(s) ` +
          `whose rows the dump would replace; set ${forceSetting('force', p)} to load it anyway`,
      );
    }
    if (ctx.check) return { changed: true, msg: `would load ${p.src} into ${p.database}`, tablesBefore, sha256 };
    if (!info) await runSql(ctx, p.login, `CREATE DATABASE ${sqlIdent(p.database)}`);
    await withLogin(ctx, p.login, (options) => must(ctx, `mysql${options ? ' ' + options : ''} ` + sh`${p.database} < ${p.src}`));
    await ctx.conn.put(markerPath(p.src), markerContent(p.database, sha256), { mode: 0o600, become: ctx.become });
    return { changed: true, msg: `loaded ${p.src} into ${p.database}`, tablesBefore, sha256 };
  },
});
