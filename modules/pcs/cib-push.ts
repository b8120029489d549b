// pcs_cib_push: push the configuration batched in a CIB file (`pcs cluster cib-push FILE --config`) when,
// and only when, it differs from the live cluster's configuration.
import type { FileDiff } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../define';
import { canonicalXml, childNamed, prettyXml } from '../xml';
import { parseCib, readCibText } from './cib';
import { pcsDialect } from './dialect';
import { applyPlan, pcsCommand, type PcsResult } from './run';

export interface PcsCibPushParams {
  readonly cibFile: string;
  /** Wait up to this many seconds for the cluster to settle (`--wait=N`). */
  readonly waitSeconds?: number;
}

export const pcsCibPush = defineModule<PcsCibPushParams, PcsResult>({
  name: 'pcs_cib_push',
  checkMode: true,
  describe: (p) => `pcs cluster cib-push ${p.cibFile} --config`,
  preflight: (p) => {
    if (!p.cibFile.startsWith('/')) throw new ConfigError(`pcs_cib_push: cibFile must be an absolute path, got ${p.cibFile}`);
  },
  async run(p, ctx) {
    await pcsDialect(ctx);
    const live = parseCib(await readCibText(ctx, {}), `the live CIB on ${ctx.host}`);
    const file = parseCib(await readCibText(ctx, { cibFile: p.cibFile }), p.cibFile);
    const [liveConf, fileConf] = [childNamed(live.xml, 'configuration'), childNamed(file.xml, 'configuration')];
    if (!liveConf || !fileConf) throw new ModuleError(`no <configuration> in ${liveConf ? p.cibFile : 'the live CIB'}`);
    if (canonicalXml(liveConf) === canonicalXml(fileConf)) {
      return { changed: false, msg: `live configuration already matches ${p.cibFile}`, commands: [] };
    }
    const wait = p.waitSeconds !== undefined ? [`--wait=${p.waitSeconds}`] : [];
    const plan = [pcsCommand({}, ['cluster', 'cib-push', p.cibFile, '--config', ...wait])];
    const r = await applyPlan(ctx, plan, `push the configuration in ${p.cibFile}`, '');
    const diffs: FileDiff[] = ctx.diff
      ? [{ path: `cib configuration (${p.cibFile})`, before: prettyXml(liveConf) + '\n', after: prettyXml(fileConf) + '\n' }]
      : [];
    return { ...r, diffs };
  },
});
