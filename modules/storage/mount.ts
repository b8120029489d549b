// mount: a filesystem mounted / unmounted, optionally recorded in /etc/fstab (present/absent touch only
// fstab, as in Ansible). The source is compared with what is mounted after resolving symlinks.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { FileDiff, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must, probe } from '../lib/exec';

export interface MountParams {
  /** The mount point. */
  readonly path: string;
  /** The device, e.g. /dev/drbd0 or /dev/mapper/vdo_data (required for mounted/present). */
  readonly src?: string;
  readonly fstype?: string;
  /** Mount options, default "defaults". */
  readonly opts?: string;
  /** mounted: mounted now (and in fstab when fstab is true); unmounted: not mounted now; present/absent: fstab only (absent also unmounts). */
  readonly state: 'mounted' | 'unmounted' | 'present' | 'absent';
  /** Manage the /etc/fstab line too (default false: the cluster's Filesystem resource mounts it at boot). */
  readonly fstab?: boolean;
}

export interface MountResult extends ModuleResult {
  /** What was mounted on path before, if anything. */
  readonly mountedBefore?: string;
}

const FSTAB = '/etc/fstab';

export function fstabLine(p: MountParams): string {
  return `${p.src} ${p.path} ${p.fstype ?? 'auto'} ${p.opts ?? 'defaults'} 0 0`;
}

/** fstab with the line for `path` replaced, added or removed (duplicates too); other lines kept as they are. */
export function editFstab(text: string, path: string, line: string | undefined): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const isOurs = (l: string): boolean => !l.trim().startsWith('#') && l.trim().split(/\s+/)[1] === path;
  const first = lines.findIndex(isOurs);
  const out = lines.flatMap((l, i) => (!isOurs(l) ? [l] : i === first && line !== undefined ? [line] : []));
  if (first < 0 && line !== undefined) out.push(line);
  return out.length ? out.join('\n') + '\n' : '';
}

function checkParams(p: MountParams): void {
  if (!p.path.startsWith('/')) throw new ConfigError(`mount: path must be absolute, got ${p.path}`);
  if ((p.state === 'mounted' || p.state === 'present') && !p.src) throw new ConfigError(`mount ${p.path}: src is required for state ${p.state}`);
  // The how-to's `mount /dev/mapper/drbd0` is a typo: DRBD devices are /dev/drbdN.
  const typo = /^\/dev\/mapper\/(drbd\d+)$/.exec(p.src ?? '');
  if (typo) throw new ConfigError(`mount ${p.path}: ${p.src} is not a DRBD device path; did you mean /dev/${typo[1]}?`);
}

export const mount = defineModule<MountParams, MountResult>({
  name: 'mount',
  checkMode: true,
  describe: (p) => `mount ${p.src ?? ''} ${p.path} ${p.state}`.replace(/\s+/g, ' '),
  preflight: checkParams,
  async run(p, ctx) {
    const found = await probe(ctx, sh`findmnt -n -o SOURCE --mountpoint ${p.path}`);
    const mountedSrc = found.code === 0 ? found.stdout.trim().split('\n')[0] : undefined;
    const actions: string[] = [];
    const commands: string[] = [];
    const diffs: FileDiff[] = [];

    const wantMounted = p.state === 'mounted';
    const wantUnmounted = p.state === 'unmounted' || p.state === 'absent';
    if (wantMounted) {
      if (mountedSrc) {
        const real = await probe(ctx, sh`readlink -f ${p.src!}`);
        const want = real.code === 0 ? real.stdout.trim() : p.src!;
        const have = (await probe(ctx, sh`readlink -f ${mountedSrc}`)).stdout.trim() || mountedSrc;
        if (want !== have && mountedSrc !== p.src) {
          throw new ModuleError(`${p.path} on ${ctx.host} has ${mountedSrc} mounted, not ${p.src}; unmount it first (state: unmounted)`);
        }
      } else {
        commands.push(sh`mkdir -p ${p.path}`);
        commands.push(sh`mount ${[...(p.fstype ? ['-t', p.fstype] : []), ...(p.opts ? ['-o', p.opts] : []), p.src!, p.path]}`);
        actions.push(`mount ${p.src} on ${p.path}`);
      }
    } else if (wantUnmounted && mountedSrc) {
      commands.push(sh`umount ${p.path}`);
      actions.push(`unmount ${mountedSrc} from ${p.path}`);
    }

    let fstabText: string | undefined;
    let newFstab: string | undefined;
    // unmounted leaves fstab alone; absent always drops the line, present/mounted add it when asked.
    if (p.state !== 'unmounted' && (p.fstab || p.state === 'present' || p.state === 'absent')) {
      fstabText = (await ctx.conn.get(FSTAB, { become: ctx.become }))?.toString('utf8') ?? '';
      newFstab = editFstab(fstabText, p.path, p.state === 'absent' ? undefined : fstabLine(p));
      if (newFstab !== fstabText) {
        actions.push(p.state === 'absent' ? `remove ${p.path} from ${FSTAB}` : `record ${p.path} in ${FSTAB}`);
        if (ctx.diff) diffs.push({ path: FSTAB, before: fstabText, after: newFstab });
      }
    }

    if (!actions.length) return { changed: false, msg: `${p.path} ${p.state}`, mountedBefore: mountedSrc };
    if (ctx.check) return { changed: true, msg: `would ${actions.join(', ')}`, mountedBefore: mountedSrc, diffs };
    if (newFstab !== undefined && fstabText !== undefined && newFstab !== fstabText) {
      await ctx.conn.put(FSTAB, newFstab, { become: ctx.become });
    }
    for (const c of commands) await must(ctx, c);
    return { changed: true, msg: actions.join(', '), mountedBefore: mountedSrc, diffs };
  },
});
