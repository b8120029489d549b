// mysql_seed: make `replica` a copy of `source` and connect the pair both ways, the how-to's "MariaDB
// replication" done right: a consistent dump of the source with its own binlog coordinates, loaded over the
// replica's database, the replica following the source from those coordinates, and the source following the
// replica from the replica's position right after the load. GUARD: rows the replica holds that the source
// lacks would vanish in the load; the seed is refused while there are any, with their count per table, unless
// force. Run once, on the source (it reaches the replica through its connection).
import type { HostName, ModuleContext, ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { forceSetting, type ForceVariable } from '../lib/force-hint';
import { copyFromHost } from '../copy_from_host';
import { checkLogin, type MysqlLogin } from './login';
import { describeMissing, rowsOnlyOn, type RowsComparison } from './compare';
import { mysqlDump } from './dump';
import { mysqlLoad } from './load';
import { mysqlReplication } from './replication';

export interface SeedEnd {
  /** Inventory host. */
  readonly host: string;
  /** The address its peer connects to. */
  readonly address: string;
}

export interface MysqlSeedParams extends ForceVariable {
  readonly source: SeedEnd;
  readonly replica: SeedEnd;
  readonly database: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Where the dump is written on both hosts (0600, removed afterwards). */
  readonly dumpPath: string;
  /** Tables left out of the row comparison (e.g. a heartbeat table each node writes its own row into). */
  readonly ignoreTables?: readonly string[];
  /** Load even though the replica holds rows the source lacks. */
  readonly force?: boolean;
  readonly login?: MysqlLogin;
}

export interface MysqlSeedResult extends ModuleResult {
  /** The replica's rows compared with the source's. */
  readonly comparison: RowsComparison;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Refuse the load when the replica would lose rows; otherwise say what it would replace. */
export async function seedGuard(ctx: ModuleContext, replicaCtx: ModuleContext, p: MysqlSeedParams): Promise<RowsComparison> {
  const cmp = await rowsOnlyOn(replicaCtx, ctx, p.login, p.database, p.ignoreTables ?? []);
  if (cmp.missingTotal > 0 && !p.force) {
    throw new ModuleError(
      `refusing to load ${p.source.host}'s ${p.database} over ${p.replica.host}'s: ${p.replica.host} holds ${plural(cmp.missingTotal, 'row')} ` +
        `${p.source.host} lacks (${describeMissing(cmp.missing)}), which the load would destroy. Make those rows reach ${p.source.host} first, ` +
        `or set ${forceSetting('force', p)} for this one run (e.g. -e ${p.forceVariable ?? 'force'}=true) to discard them knowingly`,
    );
  }
  return cmp;
}

export const mysqlSeed = defineModule<MysqlSeedParams, MysqlSeedResult>({
  name: 'mysql_seed',
  checkMode: true,
  describe: (p) => `seed ${p.replica.host}'s ${p.database} from ${p.source.host} and replicate both ways`,
  preflight: (p) => {
    checkLogin(p.login, 'mysql_seed');
    if (!p.dumpPath.startsWith('/')) throw new ConfigError(`mysql_seed: dumpPath must be absolute, got ${p.dumpPath}`);
    if (p.source.host === p.replica.host) throw new ConfigError('mysql_seed: source and replica are the same host');
  },
  async run(p, ctx) {
    ctx.secret(p.password);
    const replicaCtx = ctx.on(p.replica.host as HostName);
    const cmp = await seedGuard(ctx, replicaCtx, p);
    const over =
      `over ${p.replica.host}'s database (${plural(cmp.tables, 'table')}, ${plural(cmp.rows, 'row')}; ` +
      (cmp.missingTotal ? `${plural(cmp.missingTotal, 'row')} ${p.source.host} lacks discarded as forced` : `it holds no row ${p.source.host} lacks`) +
      ')';
    if (ctx.check) {
      return {
        changed: true,
        msg: `would dump ${p.database} on ${p.source.host} and load it ${over}, then replicate both ways from the dump's coordinates`,
        comparison: cmp,
      };
    }
    const login = p.login;
    // Whatever either side followed before is forgotten: both start again from the coordinates of this seed.
    for (const c of [replicaCtx, ctx]) await mysqlReplication({ mode: 'reset_replica', all: true, login }).run(c);
    const dump = await mysqlDump({ databases: [p.database], dest: p.dumpPath, overwrite: true, login }).run(ctx);
    try {
      await copyFromHost({ from: p.source.host, src: p.dumpPath, mode: 0o600 }).run(replicaCtx);
      // Guarded above, against the rows themselves: the load's own table-count guard is not the question here.
      await mysqlLoad({ database: p.database, src: p.dumpPath, force: true, login }).run(replicaCtx);
      const primary = { primaryPort: p.port, primaryUser: p.user, primaryPassword: p.password, waitRunningSeconds: 60, login } as const;
      await mysqlReplication({ mode: 'change_primary', primaryHost: p.source.address, logFile: dump.binlog.file, logPos: dump.binlog.position, ...primary }).run(replicaCtx);
      const back = await mysqlReplication({ mode: 'primary_status', login }).run(replicaCtx);
      if (!back.primary) throw new ModuleError(`no binlog position on ${p.replica.host} after the load`);
      await mysqlReplication({ mode: 'change_primary', primaryHost: p.replica.address, logFile: back.primary.file, logPos: back.primary.position, ...primary }).run(ctx);
    } finally {
      for (const c of [ctx, replicaCtx]) await probe(c, sh`rm -f ${p.dumpPath} ${p.dumpPath}.loaded`);
    }
    return { changed: true, msg: `dumped ${p.database} on ${p.source.host}, loaded it ${over}, replicating both ways`, comparison: cmp };
  },
});
