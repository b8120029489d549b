// pcs_property: cluster properties (`pcs property set`), e.g. no-quorum-policy=ignore, stonith-enabled=false.
import { defineModule } from '../lib/define';
import { readCib, type CibTarget } from './cib';
import { pcsDialect } from './dialect';
import { applyPlan, nvWords, pcsCommand, type PcsResult } from './run';
import { changedPairs, describePairs, sameValue } from './pairs';

export interface PcsPropertyParams extends CibTarget {
  /** Property name -> value; compared with the CIB's cib-bootstrap-options. */
  readonly properties: Readonly<Record<string, string | number | boolean>>;
}

export interface PcsPropertyResult extends PcsResult {
  /** The values found before any change. */
  readonly before: Readonly<Record<string, string | undefined>>;
}

export const pcsProperty = defineModule<PcsPropertyParams, PcsPropertyResult>({
  name: 'pcs_property',
  checkMode: true,
  describe: (p) => `pcs property ${describePairs(p.properties)}`,
  async run(p, ctx) {
    await pcsDialect(ctx);
    const cib = await readCib(ctx, p);
    const { before, changes } = changedPairs(cib.properties, p.properties, sameValue);
    const plan = Object.keys(changes).length ? [pcsCommand(p, ['property', 'set', ...nvWords(changes)])] : [];
    const r = await applyPlan(ctx, plan, `set ${describePairs(changes)}`, 'properties already set', p);
    return { ...r, before };
  },
});
