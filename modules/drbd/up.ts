// drbd_up: bring a resource up (`drbdadm up`) when it is not.
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { checkResourceName } from './resource-name';
import { must } from '../lib/exec';
import { drbdadm, readDrbdStatus, type DrbdStatus } from './status';

export interface DrbdUpParams {
  readonly resource: string;
  /** A DRBD config file other than /etc/drbd.conf (`drbdadm -c FILE`). */
  readonly config?: string;
}

export interface DrbdUpResult extends ModuleResult {
  readonly status?: DrbdStatus;
}

export const drbdUp = defineModule<DrbdUpParams, DrbdUpResult>({
  name: 'drbd_up',
  checkMode: true,
  describe: (p) => `drbdadm up ${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_up'),
  async run(p, ctx) {
    const before = await readDrbdStatus(ctx, p.resource);
    if (before) return { changed: false, msg: `${p.resource} is up (${before.role}, disk ${before.diskState})`, status: before };
    if (ctx.check) return { changed: true, msg: `would bring ${p.resource} up` };
    await must(ctx, sh`${drbdadm(p.config)} up ${p.resource}`);
    return { changed: true, msg: `brought ${p.resource} up`, status: await readDrbdStatus(ctx, p.resource) };
  },
});
