// The shared frame of the text editors (lineinfile, blockinfile, ini_file, hosts_entry, selinux's
// config): read the file with its bytes in one exec, apply a pure edit, write back only on a change.
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { readRemoteFile, type RemoteFile } from './remote-file';
import { ensureFile, type WriteOutcome } from './write-file';
import type { WantedAttributes } from './attributes';
import { asText } from './diff';

export interface TextFileTarget extends WantedAttributes {
  readonly path: string;
  /** Create the file when it is missing and the edit adds something. */
  readonly create: boolean;
}

/** The file's text, or '' when absent; fails when it is not a readable text file. */
export function textOf(ctx: ModuleContext, cur: RemoteFile): string {
  if (cur.kind === 'absent') return '';
  if (cur.kind !== 'file') throw new ModuleError(`${cur.path} on ${ctx.host} is a ${cur.kind}, not a regular file`);
  if (!cur.content) throw new ModuleError(`${cur.path} on ${ctx.host} is too large to edit (${cur.size} bytes)`);
  const text = asText(cur.content);
  if (text === undefined) throw new ModuleError(`${cur.path} on ${ctx.host} is not a UTF-8 text file; refusing to edit it`);
  return text;
}

export async function editTextFile(ctx: ModuleContext, target: TextFileTarget, edit: (text: string) => string): Promise<WriteOutcome> {
  const cur = await readRemoteFile(ctx, target.path, { depth: 'content' });
  return applyEdit(ctx, target, cur, edit);
}

/** For callers that read the file alongside other state in their own probe. */
export async function applyEdit(ctx: ModuleContext, target: TextFileTarget, cur: RemoteFile, edit: (text: string) => string): Promise<WriteOutcome> {
  const before = textOf(ctx, cur);
  const after = edit(before);
  if (cur.kind === 'absent') {
    if (after === '') return { changed: false, msg: `${target.path} does not exist; nothing to do`, diffs: [], sha256: '' };
    if (!target.create) throw new ModuleError(`${target.path} does not exist on ${ctx.host}; set create: true to create it`);
  }
  return ensureFile(ctx, { ...target, content: Buffer.from(after) }, cur);
}
