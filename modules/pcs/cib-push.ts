// pcs_cib_push: push the configuration batched in a CIB file (`pcs cluster cib-push FILE --config`) when,
// and only when, it differs from the live cluster's configuration.
import type { FileDiff } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { canonicalXml, childNamed, prettyXml } from '../lib/xml';
import { parseCib, readCibText, type Cib } from './cib';
import { pcsDialect } from './dialect';
import { applyPlan, pcsCommand, type PcsResult } from './run';

export interface PcsCibPushParams {
  readonly cibFile: string;
  /** Wait up to this many seconds for the cluster to settle (`--wait=N`). */
  readonly waitSeconds?: number;
}

/** The resources, constraints and settings that differ between two CIBs, by id, for the operator. */
export function whatDiffers(live: Cib, file: Cib): string {
  const byId = <T extends { readonly id: string }>(xs: Iterable<T>): Map<string, string> => new Map([...xs].map((x) => [x.id, JSON.stringify(x)]));
  const parts: string[] = [];
  for (const [what, a, b] of [
    ['resources', byId(live.resources.values()), byId(file.resources.values())],
    ['constraints', byId(live.constraints), byId(file.constraints)],
  ] as const) {
    const added = [...b.keys()].filter((k) => !a.has(k));
    const removed = [...a.keys()].filter((k) => !b.has(k));
    const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
    if (added.length) parts.push(`${what} added: ${added.join(', ')}`);
    if (changed.length) parts.push(`${what} changed: ${changed.join(', ')}`);
    if (removed.length) parts.push(`${what} removed: ${removed.join(', ')}`);
  }
  const settings = (c: Cib): string => JSON.stringify([c.properties, c.rscDefaults, c.opDefaults]);
  if (settings(live) !== settings(file)) parts.push('cluster properties or defaults changed');
  return parts.join('; ') || 'formatting only';
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
    const r = await applyPlan(ctx, plan, `push the configuration in ${p.cibFile} (${whatDiffers(live, file)})`, '');
    const diffs: FileDiff[] = ctx.diff
      ? [{ path: `cib configuration (${p.cibFile})`, before: prettyXml(liveConf) + '\n', after: prettyXml(fileConf) + '\n' }]
      : [];
    return { ...r, diffs };
  },
});
