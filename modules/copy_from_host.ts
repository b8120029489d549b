// copy_from_host: a file on another inventory host copied to this one through the controller (the
// how-to's scp of license.key, .session.properties, vdoconf.yml and the SQL dump). Both sides are
// compared by sha256 first; the bytes move only when they differ. The source's mode and ownership
// are kept unless given.
import type { HostName, ModuleResult } from '../engine/types';
import { ModuleError } from '../engine/errors';
import { defineModule } from './lib/define';
import { readRemoteFile } from './lib/remote-file';
import { ensureFile } from './lib/write-file';
import { keptOwnership } from './lib/attributes';
import { absolutePath, wantedAttributes, type FileAttributeParams } from './lib/params';
import type { WantedAttributes } from './lib/attributes';
import { DIFF_MAX_BYTES } from './copy';

export interface CopyFromHostParams extends FileAttributeParams {
  /** The inventory host holding the file. */
  readonly from: string;
  /** Path on that host. */
  readonly src: string;
  /** Path on this host; default the same as src. */
  readonly dest?: string;
}

export interface CopyFromHostResult extends ModuleResult {
  readonly dest: string;
  readonly sha256: string;
}

export const copyFromHost = defineModule<CopyFromHostParams, CopyFromHostResult, { dest: string; attrs: WantedAttributes }>({
  name: 'copy_from_host',
  checkMode: true,
  describe: (p) => `copy ${p.from}:${p.src} to ${p.dest ?? p.src}`,
  preflight(p) {
    absolutePath(p.src, 'copy_from_host src');
    return { dest: absolutePath(p.dest ?? p.src, 'copy_from_host dest'), attrs: wantedAttributes(p, `copy_from_host ${p.src}`) };
  },
  async run(p, ctx, { dest, attrs }) {
    const srcConn = ctx.connectionTo(p.from as HostName);
    // The source is read through its own connection, with this task's become.
    const srcCtx = ctx.on(srcConn.host);
    const depth = ctx.diff ? 'content' : 'hash';
    const [from, to] = await Promise.all([
      readRemoteFile(srcCtx, p.src, { depth: 'hash' }),
      readRemoteFile(ctx, dest, { depth, maxContentBytes: DIFF_MAX_BYTES }),
    ]);
    if (from.kind !== 'file') throw new ModuleError(`${p.src} on ${p.from} ${from.kind === 'absent' ? 'does not exist' : `is a ${from.kind}, not a file`}`);
    // Run on every node "from the preferred one": on that node itself the file is already in place.
    if (srcConn.host === ctx.host && dest === p.src) return { changed: false, msg: `${dest} is the source itself`, dest, sha256: from.sha256 ?? '' };
    const kept = keptOwnership(from);
    const want = { mode: attrs.mode ?? from.mode, owner: attrs.owner ?? kept.owner, group: attrs.group ?? kept.group };
    const content = {
      sha256: from.sha256 ?? '',
      load: async (): Promise<Buffer> => {
        const data = await srcConn.get(p.src, { become: ctx.become });
        if (data === undefined) throw new ModuleError(`${p.src} vanished from ${p.from} while being copied`);
        return data;
      },
    };
    const out = await ensureFile(ctx, { path: dest, content, ...want }, to);
    return { changed: out.changed, msg: out.msg, diffs: out.diffs, dest, sha256: out.sha256 };
  },
});

