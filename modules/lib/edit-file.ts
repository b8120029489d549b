// The shared frame of the text editors (lineinfile, blockinfile, ini_file, hosts_entry, selinux's
// config): read the file with its bytes in one exec, apply a pure edit, write back only on a change.
// textProbe is that read and that decision as a module probe (modules/lib/define.ts); defineTextEditor is the one
// module definition of the editor modules, which give only their parameter checks and their pure edit
// (modules/lib/text/).
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule, type ModuleFactory, type ModuleProbe } from './define';
import { wantedAttributes, type FileAttributeParams } from './params';
import { fileRead, readRemoteFile, type FileRequest, type RemoteFile } from './remote-file';
import { ensureFile, unchanged, type WantedFile, type WriteOutcome } from './write-file';
import type { WantedAttributes } from './attributes';
import { asText } from './diff';

export interface TextFileTarget extends WantedAttributes {
  readonly path: string;
  /** Create the file when it is missing and the edit adds something. */
  readonly create: boolean;
}

/** The file's text, or '' when absent; fails when it is not a readable text file. */
function textOf(host: string, cur: RemoteFile): string {
  if (cur.kind === 'absent') return '';
  if (cur.kind !== 'file') throw new ModuleError(`${cur.path} on ${host} is a ${cur.kind}, not a regular file`);
  if (!cur.content) throw new ModuleError(`${cur.path} on ${host} is too large to edit (${cur.size} bytes)`);
  const text = asText(cur.content);
  if (text === undefined) throw new ModuleError(`${cur.path} on ${host} is not a UTF-8 text file; refusing to edit it`);
  return text;
}

/** What an editor reads of its file. */
const textRequest = (path: string): FileRequest => ({ path, depth: 'content' });

/** `cur`: the state a probe read (still current); else it is read here. */
export async function editTextFile(ctx: ModuleContext, target: TextFileTarget, edit: (text: string) => string, cur?: RemoteFile): Promise<WriteOutcome> {
  return applyEdit(ctx, target, cur ?? (await readRemoteFile(ctx, target.path, textRequest(target.path))), edit);
}

/** The edit's outcome when it needs no write (`done`), else the file it wants. Throws (naming `host`) where it cannot edit. */
function planEdit(host: string, target: TextFileTarget, cur: RemoteFile, edit: (text: string) => string): { readonly done: WriteOutcome } | { readonly want: WantedFile } {
  const after = edit(textOf(host, cur));
  if (cur.kind === 'absent') {
    if (after === '') return { done: { changed: false, msg: `${target.path} does not exist; nothing to do`, diffs: [], sha256: '' } };
    if (!target.create) throw new ModuleError(`${target.path} does not exist on ${host}; set create: true to create it`);
  }
  return { want: { ...target, content: Buffer.from(after) } };
}

/** For callers that read the file alongside other state in their own probe. */
export async function applyEdit(ctx: ModuleContext, target: TextFileTarget, cur: RemoteFile, edit: (text: string) => string): Promise<WriteOutcome> {
  const plan = planEdit(ctx.host, target, cur, edit);
  return 'done' in plan ? plan.done : ensureFile(ctx, plan.want, cur);
}

/** What every editor module returns. */
export interface EditResult extends ModuleResult {
  readonly path: string;
}

export const editResult = (path: string, out: WriteOutcome): EditResult => ({ changed: out.changed, msg: out.msg, diffs: out.diffs, path });

/** An editor's probe: the file with its bytes; settled when the edit changes nothing. */
export function textProbe(target: TextFileTarget, edit: (text: string) => string): ModuleProbe<EditResult, RemoteFile> {
  const read = fileRead(textRequest(target.path));
  return {
    reads: [read],
    writes: [target.path],
    state: (answers) => answers.get(read),
    settled(cur, ctx) {
      const plan = planEdit(ctx.host, target, cur, edit);
      const out = 'done' in plan ? plan.done : unchanged(plan.want, cur);
      return out && editResult(target.path, out);
    },
  };
}

/** An editor module: its checks of the parameters and its pure edit; reading, probing and writing are shared. */
export interface TextEditorDefinition<P, E> {
  readonly name: string;
  describe(params: P): string;
  /** Host-independent checks (throw ConfigError): the file to edit and the parsed edit. */
  preflight(params: P): EditorCall<E>;
  /** The pure edit of the file's text ('' when the file is absent). */
  apply(text: string, edit: E): string;
}

export interface EditorCall<E> {
  readonly target: TextFileTarget;
  readonly edit: E;
}

export function defineTextEditor<P, E>(def: TextEditorDefinition<P, E>): ModuleFactory<P, EditResult> {
  return defineModule<P, EditResult, EditorCall<E>, RemoteFile>({
    name: def.name,
    checkMode: true,
    describe: (p) => def.describe(p),
    preflight: (p) => def.preflight(p),
    probe: (_p, { target, edit }) => textProbe(target, (t) => def.apply(t, edit)),
    async run(_p, ctx, { target, edit }, cur) {
      return editResult(target.path, await editTextFile(ctx, target, (t) => def.apply(t, edit), cur));
    },
  });
}

/** The target of an editor whose parameters name a path, `create` and the file's attributes (checked after the edit). */
export function attributeTarget(p: FileAttributeParams & { readonly path: string; readonly create?: boolean }, what: string, createByDefault: boolean): TextFileTarget {
  return { path: p.path, create: p.create ?? createByDefault, ...wantedAttributes(p, what) };
}
