// pcs_cib_file: a scratch copy of the live CIB (`pcs cluster cib FILE`) that later pcs_* tasks change with
// `pcs -f FILE` and pcs_cib_push applies in one step, as the how-to does with drbd_cfg. Under --check the copy
// is made all the same (it is scratch, not cluster state) and built in: the push then reports the true difference.
import { ConfigError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must } from '../lib/exec';
import type { PcsResult } from './run';
import { markScratchCib, READ_LIVE_CIB } from './cib';
import { pcsDialect } from './dialect';

export interface PcsCibFileParams {
  /** Absolute path on the host; overwritten with a fresh copy of the live CIB. */
  readonly cibFile: string;
}

export const pcsCibFile = defineModule<PcsCibFileParams, PcsResult>({
  name: 'pcs_cib_file',
  checkMode: true,
  describe: (p) => `copy the live CIB to ${p.cibFile}`,
  preflight: (p) => {
    if (!p.cibFile.startsWith('/')) throw new ConfigError(`pcs_cib_file: cibFile must be an absolute path, got ${p.cibFile}`);
  },
  async run(p, ctx) {
    await pcsDialect(ctx);
    // `pcs cluster cib FILE` without pcs's Python start-up; the file is root's alone.
    const cmd = `umask 077; ${READ_LIVE_CIB} > ` + sh`${p.cibFile}`;
    // A scratch copy changes nothing on the cluster: never a change, and made under --check too, so the tasks
    // after it build the configuration for real and the push shows exactly what would change.
    await must(ctx, cmd);
    markScratchCib(ctx, p.cibFile);
    return { changed: false, msg: `copied the live CIB to ${p.cibFile}`, commands: [cmd] };
  },
});
