// drbd_up: bring a resource up (`drbdadm up`) when it is not, and a live one to its file (`drbdadm adjust`):
// a resource brought up by hand from another file (the how-to's vprotect.res without fencing) takes the file's
// settings now, not at its next restart. What adjust would run comes from its dry run (`drbdadm -d adjust`),
// which compares the kernel's settings with the file: nothing to run is no change, whatever a register says.
import type { ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { checkResourceName } from './resource-name';
import { must } from '../lib/exec';
import { drbdadm, peerConnection, readDrbdStatus, type DrbdStatus } from './status';

export interface DrbdUpParams {
  readonly resource: string;
  /** A DRBD config file other than /etc/drbd.conf (`drbdadm -c FILE`). */
  readonly config?: string;
  /**
   * Under --check: the resource file would change (it is not written), so the dry run, which reads the file
   * as it is, cannot show what the new one changes: a live resource is then reported as "would adjust".
   */
  readonly fileChanging?: boolean;
}

export interface DrbdUpResult extends ModuleResult {
  readonly status?: DrbdStatus;
}

/** The drbdsetup commands of `drbdadm -d adjust` (one per line; it prints nothing when the kernel matches). */
export const adjustCommands = (dryRun: string): string[] =>
  dryRun
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^drbdsetup|^drbdmeta/.test(l));

export const drbdUp = defineModule<DrbdUpParams, DrbdUpResult>({
  name: 'drbd_up',
  checkMode: true,
  describe: (p) => `drbdadm up ${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_up'),
  async run(p, ctx) {
    const before = await readDrbdStatus(ctx, p.resource);
    if (!before) {
      if (ctx.check) return { changed: true, msg: `would bring ${p.resource} up` };
      await must(ctx, sh`${drbdadm(p.config)} up ${p.resource}`);
      return { changed: true, msg: `brought ${p.resource} up`, status: await readDrbdStatus(ctx, p.resource) };
    }
    const state = `${before.role}, disk ${before.diskState}`;
    if (ctx.check && p.fileChanging) {
      return { changed: true, msg: `${p.resource} is up (${state}): would adjust it live to the new resource file (drbdadm adjust)`, status: before };
    }
    const commands = adjustCommands((await must(ctx, sh`${drbdadm(p.config)} -d adjust ${p.resource}`)).stdout);
    if (!commands.length) return { changed: false, msg: `${p.resource} is up (${state}) with its file's settings`, status: before };
    // A StandAlone resource was disconnected by someone (or by DRBD after a split brain): adjust would connect
    // it. Connecting is the operator's call, made with the way out in view: nothing here makes it.
    if (peerConnection(before) === 'StandAlone' && commands.some((c) => /\bconnect\b/.test(c))) {
      throw new ModuleError(
        `${p.resource} on ${ctx.host} is StandAlone and differs from its resource file: drbdadm adjust would connect it ` +
          `(${commands.join('; ')}). Not changed: connect it yourself (drbdadm connect ${p.resource}, after reading ` +
          `\`drbdadm status\` on both nodes), then run again`,
      );
    }
    if (ctx.check) return { changed: true, msg: `would adjust ${p.resource} live to its file: ${commands.join('; ')}`, status: before };
    await must(ctx, sh`${drbdadm(p.config)} adjust ${p.resource}`);
    return {
      changed: true,
      msg: `adjusted ${p.resource} live to its file: ${commands.join('; ')}`,
      status: await readDrbdStatus(ctx, p.resource),
    };
  },
});
