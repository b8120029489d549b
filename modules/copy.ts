// copy: put bytes (given inline or read from a controller file) at a path on the host, only when
// the remote sha256 or attributes differ. Writes are atomic (put renames a temp file over the target).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleContext, ModuleResult, ProbeFlags } from '../engine/types';
import { ConfigError } from '../engine/errors';
import { defineModule, type ModuleProbe } from './lib/define';
import { fileRead, readRemoteFile, type FileRequest, type RemoteFile } from './lib/remote-file';
import { ensureFile, unchanged, type WriteOutcome } from './lib/write-file';
import { absolutePath, wantedAttributes, type FileAttributeParams } from './lib/params';
import type { WantedAttributes } from './lib/attributes';

export interface CopyParams extends FileAttributeParams {
  /** Absolute path on the host. */
  readonly dest: string;
  /** The file's content; give this or src. */
  readonly content?: string | Buffer;
  /** A file on the controller (absolute, or relative to the working directory); give this or content. */
  readonly src?: string;
}

export interface CopyResult extends ModuleResult {
  readonly dest: string;
  readonly sha256: string;
}

/** Old content larger than this is not fetched for --diff (it is summarized by size and hash). */
export const DIFF_MAX_BYTES = 1024 * 1024;

function sourceBytes(p: CopyParams): Buffer {
  if ((p.content === undefined) === (p.src === undefined)) throw new ConfigError(`copy to ${p.dest}: give exactly one of content or src`);
  if (p.content !== undefined) return Buffer.from(p.content);
  const file = path.resolve(p.src!);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`copy to ${p.dest}: cannot read source ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** What copy and template read of dest: its hash, and its bytes for --diff. */
const destRequest = (dest: string, diff: boolean): FileRequest => ({ path: dest, depth: diff ? 'content' : 'hash', maxContentBytes: DIFF_MAX_BYTES });

const copyResult = (dest: string, out: WriteOutcome): CopyResult => ({ changed: out.changed, msg: out.msg, diffs: out.diffs, dest, sha256: out.sha256 });

/**
 * Write bytes to dest with the wanted attributes (checked by the caller's preflight); shared by copy and template.
 * `cur`: dest's state as contentProbe read it (still current); else it is read here.
 */
export async function writeContent(ctx: ModuleContext, dest: string, content: Buffer, attrs: WantedAttributes, cur?: RemoteFile): Promise<CopyResult> {
  const state = cur ?? (await readRemoteFile(ctx, dest, destRequest(dest, ctx.diff)));
  return copyResult(dest, await ensureFile(ctx, { path: dest, content, ...attrs }, state));
}

/** copy's and template's probe: dest's state; settled when bytes and attributes already are as wanted. */
export function contentProbe(dest: string, content: Buffer, attrs: WantedAttributes, flags: ProbeFlags): ModuleProbe<CopyResult, RemoteFile> {
  const read = fileRead(destRequest(dest, flags.diff));
  return {
    reads: [read],
    writes: [dest],
    state: (answers) => answers.get(read),
    settled(cur) {
      const out = unchanged({ path: dest, content, ...attrs }, cur);
      return out && copyResult(dest, out);
    },
  };
}

export const copy = defineModule<CopyParams, CopyResult, { bytes: Buffer; attrs: WantedAttributes }, RemoteFile>({
  name: 'copy',
  checkMode: true,
  describe: (p) => `copy ${p.src ? p.src + ' ' : ''}to ${p.dest}`,
  preflight(p) {
    absolutePath(p.dest, 'copy');
    return { attrs: wantedAttributes(p, `copy to ${p.dest}`), bytes: sourceBytes(p) };
  },
  probe: (p, { bytes, attrs }, flags) => contentProbe(p.dest, bytes, attrs, flags),
  async run(p, ctx, { bytes, attrs }, cur) {
    return writeContent(ctx, p.dest, bytes, attrs, cur);
  },
});
