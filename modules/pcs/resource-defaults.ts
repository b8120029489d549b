// pcs_resource_defaults: resource (or operation) defaults, e.g. failure-timeout=30s migration-threshold=3.
import { defineModule } from '../lib/define';
import { readCib, type CibTarget } from './cib';
import { pcsDialect } from './dialect';
import { applyPlan, nvWords, pcsCommand, type PcsResult } from './run';
import { changedPairs, describePairs, sameValue } from './pairs';

export interface PcsResourceDefaultsParams extends CibTarget {
  readonly defaults: Readonly<Record<string, string | number | boolean>>;
  /** 'resource' (rsc_defaults, the default) or 'op' (op_defaults). */
  readonly scope?: 'resource' | 'op';
}

export interface PcsResourceDefaultsResult extends PcsResult {
  readonly before: Readonly<Record<string, string | undefined>>;
}

export const pcsResourceDefaults = defineModule<PcsResourceDefaultsParams, PcsResourceDefaultsResult>({
  name: 'pcs_resource_defaults',
  checkMode: true,
  describe: (p) => `pcs resource ${p.scope === 'op' ? 'op ' : ''}defaults ${describePairs(p.defaults)}`,
  async run(p, ctx) {
    const dialect = await pcsDialect(ctx);
    const cib = await readCib(ctx, p);
    const have = p.scope === 'op' ? cib.opDefaults : cib.rscDefaults;
    const { before, changes } = changedPairs(have, p.defaults, sameValue);
    const base = p.scope === 'op' ? ['resource', 'op', 'defaults'] : ['resource', 'defaults'];
    // pcs 0.10.7+ deprecates the bare form in favour of `defaults update`.
    const verb = dialect.defaultsUpdate ? ['update'] : [];
    const plan = Object.keys(changes).length ? [pcsCommand(p, [...base, ...verb, ...nvWords(changes)])] : [];
    const r = await applyPlan(ctx, plan, `set ${p.scope === 'op' ? 'op' : 'resource'} defaults ${describePairs(changes)}`, 'defaults already set', p);
    return { ...r, before };
  },
});
