// pcs_foreign_cluster: make sure this host holds no corosync cluster other than the wanted one, such as
// Debian's default cluster "debian" (node1) which silently breaks `pcs host auth`. Destroying one is
// guarded: only with destroyForeign: true, and never a cluster with the wanted name and nodes.
import type { Connection, ModuleContext } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { pcsCommand, type PcsResult } from './run';
import { describeConf, membership, readCorosyncConf, type CorosyncConf } from './corosync-conf';
import { pcsDialect, type PcsDialect } from './dialect';
import { mustOn } from './on-node';
import { forceSetting, type ForceVariable } from '../lib/force-hint';

export interface PcsForeignClusterParams extends ForceVariable {
  /** The wanted cluster's name and node names: a config matching both is left alone. */
  readonly name: string;
  readonly nodes: readonly string[];
  readonly destroyForeign?: boolean;
}

export interface PcsForeignClusterResult extends PcsResult {
  /** The foreign cluster found (and destroyed unless --check), if any. */
  readonly foreign?: CorosyncConf;
}

export function destroyCommand(d: PcsDialect): string {
  // pcs 0.11 asks for confirmation unless --force is given.
  return pcsCommand({}, ['cluster', 'destroy', ...(d.destroyNeedsForce ? ['--force'] : [])]);
}

/** A cluster of exactly the wanted nodes, named otherwise: the user's running cluster, not a leftover. */
export function isRenamedOwnCluster(conf: CorosyncConf, nodes: readonly string[]): boolean {
  const have = conf.nodes.map((n) => n.name).sort();
  const want = [...nodes].sort();
  return have.length === want.length && have.every((n, i) => n === want[i]);
}

/** forceVariable: the user's setting that maps to destroyForeign, named in the message when given. */
export function refuseForeign(host: string, conf: CorosyncConf, wanted: string, allow: ForceVariable = {}): ModuleError {
  return new ModuleError(
    `${host} already belongs to corosync ${describeConf(conf)}, not the wanted cluster "${wanted}"; ` +
      `destroying it wipes that cluster's configuration on ${host}: set ${forceSetting('destroyForeign', allow)} to allow it`,
  );
}

/** Destroy a foreign cluster config on `conn`'s host when allowed; returns the command (run unless --check). */
export async function clearForeign(
  ctx: ModuleContext,
  conn: Connection,
  d: PcsDialect,
  conf: CorosyncConf,
  p: PcsForeignClusterParams,
): Promise<string> {
  if (isRenamedOwnCluster(conf, p.nodes)) {
    // Not a leftover: this very cluster under another name (the how-to calls it "mycluster"). Never destroyed.
    throw new ModuleError(
      `${conn.host} belongs to corosync ${describeConf(conf)}: this inventory's own nodes under another name than "${p.name}". ` +
        `It is not destroyed (not even with destroyForeign): set cluster_name: ${conf.clusterName ?? '(its name)'} to adopt it as it is`,
    );
  }
  if (!p.destroyForeign) throw refuseForeign(conn.host, conf, p.name, p);
  const cmd = destroyCommand(d);
  if (!ctx.check) await mustOn(ctx, conn, cmd);
  return cmd;
}

export const pcsForeignCluster = defineModule<PcsForeignClusterParams, PcsForeignClusterResult>({
  name: 'pcs_foreign_cluster',
  checkMode: true,
  describe: (p) => `no corosync cluster other than ${p.name}`,
  preflight: (p) => {
    if (!p.name || !p.nodes.length) throw new ConfigError('pcs_foreign_cluster: name and nodes are required');
  },
  async run(p, ctx) {
    const d = await pcsDialect(ctx);
    const m = membership(await readCorosyncConf(ctx.conn, ctx.become), p.name, p.nodes);
    if (m.state === 'none') return { changed: false, msg: 'no corosync cluster configured', commands: [] };
    if (m.state === 'ours') return { changed: false, msg: `member of cluster ${p.name}`, commands: [] };
    const cmd = await clearForeign(ctx, ctx.conn, d, m.conf, p);
    const what = `destroy foreign ${describeConf(m.conf)}`;
    return { changed: true, msg: ctx.check ? `would ${what}` : what, commands: [cmd], foreign: m.conf };
  },
});
