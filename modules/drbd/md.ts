// drbd_md: DRBD metadata on the backing disk (`drbdadm create-md`). Existing metadata is a no-op.
// GUARD: a disk holding any other signature (a filesystem, LVM, a partition table) is refused unless
// force: true (messages name forceVariable, the role's setting, when given), since create-md would destroy it;
// so is a disk with no signature whose first 68 KiB are not zero (drbdmeta's own check: it would ask, and abort).
import { ModuleError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { checkResourceName } from './resource-name';
import { must, probe } from '../lib/exec';
import { DRBDMETA_PROBE_BYTES, describeSignature, deviceSignature, leadingBytesZero } from '../storage/signature';
import { forceSetting, type ForceVariable } from '../lib/force-hint';
import { drbdadm, readDrbdStatus } from './status';

export interface DrbdMdParams extends ForceVariable {
  readonly resource: string;
  /** A DRBD config file other than /etc/drbd.conf (`drbdadm -c FILE`). */
  readonly config?: string;
  /** Overwrite a disk holding a filesystem or other data signature (destroys it). */
  readonly force?: boolean;
}

export interface DrbdMdResult extends ModuleResult {
  /** The backing disk (drbdadm sh-ll-dev). */
  readonly disk: string;
}

const quiet = (s: string): string => s.split('\n').filter((l) => l.trim() && !/modinfo: not found/.test(l)).join('\n').trim();

export const drbdMd = defineModule<DrbdMdParams, DrbdMdResult>({
  name: 'drbd_md',
  checkMode: true,
  describe: (p) => `drbdadm create-md ${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_md'),
  async run(p, ctx) {
    const adm = drbdadm(p.config);
    const ll = await probe(ctx, sh`${adm} sh-ll-dev ${p.resource}`);
    const disk = ll.stdout.trim().split('\n')[0] ?? '';
    if (ll.code !== 0 || !disk) {
      throw new ModuleError(`resource ${p.resource} has no backing disk for ${ctx.host} in the DRBD config: ${quiet(ll.stderr) || 'drbdadm sh-ll-dev printed nothing'}`, ll);
    }
    // Metadata first: once the resource holds a filesystem the backing disk shows that too.
    const dump = await probe(ctx, sh`${adm} dump-md ${p.resource}`);
    if (dump.code === 0) return { changed: false, msg: `DRBD metadata present on ${disk}`, disk };
    if (!/No valid meta data found/i.test(dump.stderr + dump.stdout)) {
      // dump-md refuses while the resource is up: then the kernel holds valid metadata.
      const up = await readDrbdStatus(ctx, p.resource).catch(() => undefined);
      if (up && up.diskState !== 'Diskless') return { changed: false, msg: `resource ${p.resource} is up with its metadata`, disk };
      throw new ModuleError(`cannot tell whether ${disk} holds DRBD metadata: \`drbdadm dump-md ${p.resource}\` exited ${dump.code}: ${quiet(dump.stderr)}`, dump);
    }
    const sig = await deviceSignature(ctx, disk);
    if (sig && !p.force) {
      throw new ModuleError(
        `refusing to create DRBD metadata on ${disk} (resource ${p.resource}) on ${ctx.host}: it holds ${describeSignature(sig)}; ` +
          `create-md would destroy it. Wipe the disk yourself or set ${forceSetting('force', p)}`,
      );
    }
    const leftover = !sig && !(await leadingBytesZero(ctx, disk, DRBDMETA_PROBE_BYTES));
    if (leftover && !p.force) {
      throw new ModuleError(
        `refusing to create DRBD metadata on ${disk} (resource ${p.resource}) on ${ctx.host}: its first 68 KiB are not zero ` +
          `though no signature is left (a wiped filesystem's remains, or raw data); create-md would overwrite it. ` +
          `Zero them yourself (dd if=/dev/zero of=${disk} bs=1M count=1) or set ${forceSetting('force', p)}`,
      );
    }
    const over = sig ? describeSignature(sig) : leftover ? 'data with no signature' : '';
    const cmd = over ? sh`${adm} create-md --force ${p.resource}` : sh`${adm} create-md ${p.resource}`;
    const what = `create DRBD metadata on ${disk}${over ? ` over ${over} (force)` : ''}`;
    if (ctx.check) return { changed: true, msg: `would ${what}`, disk };
    // No terminal: should drbdmeta still ask for confirmation, it reads end-of-file and aborts.
    await must(ctx, cmd, { stdin: '' });
    return { changed: true, msg: what, disk };
  },
});
