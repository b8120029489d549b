// The shared end of copy, template, the text editors and cross-host copies: given the file's current
// state and the wanted bytes and attributes, change only what differs (atomically, via put).
import * as path from 'node:path';
import type { FileDiff, ModuleContext } from '../../engine/types';
import { ModuleError, UnreachableError } from '../../engine/errors';
import { must } from './exec';
import type { RemoteFile } from './remote-file';
import { attributeChanges, attributeCommand, keptOwnership, type WantedAttributes } from './attributes';
import { contentDiff, settingsDiff, sha256, summarize } from './diff';

export interface WantedFile extends WantedAttributes {
  readonly path: string;
  /** The bytes, or their sha256 and a way to get them only if they are needed (cross-host copies). */
  readonly content: Buffer | LazyContent;
}

export interface LazyContent {
  readonly sha256: string;
  load(): Promise<Buffer>;
}

export interface WriteOutcome {
  readonly changed: boolean;
  readonly msg: string;
  readonly diffs: FileDiff[];
  readonly sha256: string;
}

/** Fail early, with what to do, when the target cannot hold a file. */
export function assertWritable(ctx: ModuleContext, cur: RemoteFile): void {
  if (cur.kind === 'directory' || cur.kind === 'other') {
    throw new ModuleError(`${cur.path} on ${ctx.host} is a ${cur.kind === 'directory' ? 'directory' : 'special file'}, not a regular file`);
  }
  if (cur.kind === 'absent' && !cur.parentIsDir) {
    throw new ModuleError(
      `cannot create ${cur.path} on ${ctx.host}: directory ${path.posix.dirname(cur.realPath)} does not exist (create it first with the file module, state 'directory')`,
    );
  }
}

/** What differs between the file as it is and as wanted. */
function compare(want: WantedFile, cur: RemoteFile) {
  const wantSha = Buffer.isBuffer(want.content) ? sha256(want.content) : want.content.sha256;
  const exists = cur.kind !== 'absent';
  const contentChanged = !exists || cur.sha256 !== wantSha;
  const attrChanges = exists ? attributeChanges(cur, want) : [];
  return { wantSha, exists, contentChanged, attrChanges, same: !contentChanged && !attrChanges.length };
}

const upToDate = (want: WantedFile, sha: string): WriteOutcome => ({ changed: false, msg: `${want.path} is up to date`, diffs: [], sha256: sha });

/** ensureFile's outcome when the file already is as wanted (it writes nothing then), else undefined. */
export function unchanged(want: WantedFile, cur: RemoteFile): WriteOutcome | undefined {
  if (cur.kind === 'directory' || cur.kind === 'other') return undefined; // ensureFile fails on it
  const c = compare(want, cur);
  return c.same ? upToDate(want, c.wantSha) : undefined;
}

export async function ensureFile(ctx: ModuleContext, want: WantedFile, cur: RemoteFile): Promise<WriteOutcome> {
  assertWritable(ctx, cur);
  const { wantSha, exists, contentChanged, attrChanges, same } = compare(want, cur);
  if (same) return upToDate(want, wantSha);
  const diffs: FileDiff[] = [];
  const bytes = contentChanged ? (Buffer.isBuffer(want.content) ? want.content : await want.content.load()) : undefined;
  if (bytes) diffs.push(contentDiff(want.path, cur.content, bytes, cur));
  if (attrChanges.length) diffs.push(settingsDiff(`${want.path} (attributes)`, attrChanges));

  const verb = !exists ? 'create' : contentChanged ? 'update' : 'set';
  const what = contentChanged ? want.path : `${want.path} ${summarize(attrChanges)}`;
  if (ctx.check) return { changed: true, msg: `would ${verb} ${what}`, diffs, sha256: wantSha };

  if (bytes) {
    const kept = keptOwnership(cur);
    await putFile(ctx, cur.realPath, bytes, {
      mode: want.mode ?? (exists ? cur.mode : undefined),
      owner: want.owner ?? kept.owner,
      group: want.group ?? kept.group,
    });
  } else {
    await must(ctx, attributeCommand(cur.realPath, want, attrChanges));
  }
  return { changed: true, msg: `${verb === 'set' ? 'set' : verb + 'd'} ${what}`, diffs, sha256: wantSha };
}

/** put() with its failures turned into a ModuleError naming the file and host. */
export async function putFile(ctx: ModuleContext, target: string, content: Buffer, attrs: WantedAttributes): Promise<void> {
  try {
    await ctx.conn.put(target, content, { ...attrs, become: ctx.become });
  } catch (e) {
    if (e instanceof ModuleError || e instanceof UnreachableError) throw e;
    throw new ModuleError(`writing ${target} on ${ctx.host} failed: ${(e as Error).message}`);
  }
}
