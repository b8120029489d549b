// pcs_node: put a cluster node in standby or bring it back (`pcs node standby|unstandby`; 0.9: `pcs cluster`).
import { defineModule } from '../lib/define';
import { readCib, isTrue, type CibTarget } from './cib';
import { ModuleError } from '../../engine/errors';
import { pcsDialect } from './dialect';
import { applyPlan, pcsCommand, type PcsResult } from './run';

export interface PcsNodeParams extends CibTarget {
  /** The node's cluster name (its `uname -n`). */
  readonly node: string;
  readonly state: 'standby' | 'unstandby';
  /** Wait up to this many seconds for resources to move (`--wait=N`, live cluster only). */
  readonly waitSeconds?: number;
}

export interface PcsNodeResult extends PcsResult {
  readonly wasStandby: boolean;
}

export const pcsNode = defineModule<PcsNodeParams, PcsNodeResult>({
  name: 'pcs_node',
  checkMode: true,
  describe: (p) => `pcs node ${p.state} ${p.node}`,
  async run(p, ctx) {
    const dialect = await pcsDialect(ctx);
    const cib = await readCib(ctx, p);
    const attrs = cib.nodeAttributes.get(p.node);
    if (!attrs) {
      throw new ModuleError(
        `node ${p.node} is not in the cluster configuration (known: ${[...cib.nodeAttributes.keys()].join(', ') || 'none'})`,
      );
    }
    const wasStandby = isTrue(attrs.standby);
    const want = p.state === 'standby';
    const group = dialect.generation === '0.9' ? 'cluster' : 'node';
    const wait = p.waitSeconds !== undefined && !p.cibFile ? [`--wait=${p.waitSeconds}`] : [];
    const plan = wasStandby === want ? [] : [pcsCommand(p, [group, p.state, p.node, ...wait])];
    const r = await applyPlan(ctx, plan, `${p.state} node ${p.node}`, `node ${p.node} already ${want ? 'in standby' : 'active'}`);
    return { ...r, wasStandby };
  },
});
