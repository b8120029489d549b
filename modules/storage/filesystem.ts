// filesystem: make a filesystem (mkfs.TYPE) on a device. GUARD via `blkid -p`: a device already holding
// that filesystem type is ok; one holding anything else is never reformatted unless force: true.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must } from '../lib/exec';
import { describeSignature, deviceSignature } from './signature';
import { forceSetting, type ForceVariable } from '../lib/force-hint';

export interface FilesystemParams extends ForceVariable {
  readonly device: string;
  /** xfs, ext4, ext3, btrfs...: runs mkfs.TYPE. */
  readonly fstype: string;
  /** Extra mkfs options, e.g. ['-K'] (xfs: do not discard, as the how-to does on DRBD/VDO). */
  readonly options?: readonly string[];
  /** Reformat a device holding another filesystem or data signature (destroys it). */
  readonly force?: boolean;
}

export interface FilesystemResult extends ModuleResult {
  /** The signature found before any change. */
  readonly before?: string;
}

/** mkfs's own "overwrite" flag, needed once our guard has decided to overwrite. */
function forceFlag(fstype: string): string[] {
  if (fstype === 'xfs' || fstype === 'btrfs') return ['-f'];
  if (/^ext[234]$/.test(fstype)) return ['-F'];
  return [];
}

export const filesystem = defineModule<FilesystemParams, FilesystemResult>({
  name: 'filesystem',
  checkMode: true,
  describe: (p) => `mkfs.${p.fstype} ${p.device}`,
  preflight: (p) => {
    if (!/^[a-z0-9]+$/.test(p.fstype)) throw new ConfigError(`filesystem: invalid fstype ${JSON.stringify(p.fstype)}`);
    if (!p.device.startsWith('/')) throw new ConfigError(`filesystem: device must be a path, got ${p.device}`);
  },
  async run(p, ctx) {
    const sig = await deviceSignature(ctx, p.device);
    if (sig?.type === p.fstype) return { changed: false, msg: `${p.device} already holds ${p.fstype}`, before: sig.type };
    if (sig && !p.force) {
      throw new ModuleError(
        `refusing to make ${p.fstype} on ${p.device} on ${ctx.host}: it holds ${describeSignature(sig)}; ` +
          `mkfs would destroy it. Set ${forceSetting('force', p)} to reformat`,
      );
    }
    const cmd = sh`mkfs.${p.fstype} ${[...(sig ? forceFlag(p.fstype) : []), ...(p.options ?? []), p.device]}`;
    const what = `make ${p.fstype} on ${p.device}${sig ? ` over ${describeSignature(sig)} (force)` : ''}`;
    if (ctx.check) return { changed: true, msg: `would ${what}`, before: sig?.type };
    await must(ctx, cmd);
    return { changed: true, msg: what, before: sig?.type };
  },
});
