// mysqldump: a consistent snapshot (--single-transaction) of whole databases (--databases) to a file on
// the host, with the binlog coordinates of that very snapshot (--master-data=2 / --source-data=2) read
// back from the dump's own CHANGE MASTER comment: the position a replica of this server starts from.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must, probe } from '../lib/exec';
import { checkLogin, withLogin, type MysqlLogin } from './login';
import { readPrimary, type BinlogPosition } from './replication';

export interface MysqlDumpParams {
  readonly databases: readonly string[];
  /** Absolute path on the host. */
  readonly dest: string;
  /** Dump again even when dest exists (default false: an existing dump is kept and its coordinates read). */
  readonly overwrite?: boolean;
  readonly login?: MysqlLogin;
}

export interface MysqlDumpResult extends ModuleResult {
  /** The snapshot's binlog coordinates (under --check: the server's current ones, as the dump would record). */
  readonly binlog: BinlogPosition;
  readonly dest: string;
}

/** `-- CHANGE MASTER TO MASTER_LOG_FILE='x', MASTER_LOG_POS=n;` (MariaDB, MySQL < 8.0.26) or the SOURCE form. */
export function dumpCoordinates(text: string): BinlogPosition | undefined {
  const m = /^-- CHANGE (?:MASTER|REPLICATION SOURCE) TO (?:MASTER|SOURCE)_LOG_FILE='([^']+)', (?:MASTER|SOURCE)_LOG_POS=(\d+);/m.exec(text);
  return m ? { file: m[1]!, position: Number(m[2]) } : undefined;
}

async function coordinatesOf(ctx: ModuleContext, dest: string): Promise<BinlogPosition> {
  const r = await probe(ctx, sh`grep -m1 -E ${'^-- CHANGE (MASTER|REPLICATION SOURCE) TO '} ${dest}`);
  const pos = dumpCoordinates(r.stdout);
  if (!pos) {
    throw new ModuleError(
      `${dest} on ${ctx.host} has no CHANGE MASTER comment: binary logging was off when it was dumped ` +
        '(set log_bin in [mysqld] and restart) or it was not made with --master-data=2; remove it or set overwrite: true',
    );
  }
  return pos;
}

export const mysqlDump = defineModule<MysqlDumpParams, MysqlDumpResult>({
  name: 'mysqldump',
  checkMode: true,
  describe: (p) => `mysqldump ${p.databases.join(' ')} > ${p.dest}`,
  preflight: (p) => {
    if (!p.databases.length) throw new ConfigError('mysqldump: no databases');
    if (!p.dest.startsWith('/')) throw new ConfigError(`mysqldump: dest must be an absolute path, got ${p.dest}`);
    checkLogin(p.login, 'mysqldump');
  },
  async run(p, ctx) {
    const exists = (await probe(ctx, sh`test -e ${p.dest}`)).code === 0;
    if (exists && !p.overwrite) {
      return { changed: false, msg: `kept the existing dump ${p.dest}`, binlog: await coordinatesOf(ctx, p.dest), dest: p.dest };
    }
    if (ctx.check) {
      const now = await readPrimary(ctx, p.login);
      if (!now) throw new ModuleError(`binary logging is off on ${ctx.host}: the dump would carry no coordinates; set log_bin in [mysqld]`);
      return { changed: true, msg: `would dump ${p.databases.join(', ')} to ${p.dest}`, binlog: now, dest: p.dest };
    }
    // MySQL 8.0.26+ renamed --master-data to --source-data; MariaDB keeps --master-data.
    const help = await probe(ctx, 'mysqldump --help');
    const dataFlag = /--source-data/.test(help.stdout) ? '--source-data=2' : '--master-data=2';
    const tmp = `${p.dest}.partial`;
    await withLogin(ctx, p.login, (options) =>
      must(
        ctx,
        `umask 077 && mysqldump${options ? ' ' + options : ''} --single-transaction ${dataFlag} --routines --triggers --databases ` +
          sh`${p.databases} > ${tmp} && mv ${tmp} ${p.dest}`,
      ),
    ).catch(async (e: unknown) => {
      await probe(ctx, sh`rm -f ${tmp}`);
      throw e;
    });
    return { changed: true, msg: `dumped ${p.databases.join(', ')} to ${p.dest}`, binlog: await coordinatesOf(ctx, p.dest), dest: p.dest };
  },
});
