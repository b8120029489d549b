// file: a path's existence and kind (file, directory, symlink, absent) plus owner, group and mode.
// Not recursive: attributes apply to the path itself only.
import type { ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { must } from './lib/exec';
import { readRemoteFile, type FileKind, type RemoteFile } from './lib/remote-file';
import { attributeChanges, attributeCommand, type WantedAttributes } from './lib/attributes';
import { settingsDiff, summarize, type SettingChange } from './lib/diff';
import { absolutePath, wantedAttributes, type FileAttributeParams } from './lib/params';
import { formatMode } from './lib/mode';

export type FileState = 'file' | 'directory' | 'absent' | 'touch' | 'link';

export interface FileParams extends FileAttributeParams {
  /** Absolute path on the host. */
  readonly path: string;
  /**
   * file: must exist (only attributes are set); directory: created with parents when missing;
   * absent: removed (a directory with its content); touch: created empty when missing (an existing
   * file is left as it is, timestamps included, so the task stays idempotent); link: a symlink to src.
   * Default 'file'.
   */
  readonly state?: FileState;
  /** The symlink's target, for state 'link'. */
  readonly src?: string;
  /** state 'link': replace a regular file or an empty directory standing at path. */
  readonly force?: boolean;
}

export interface FileResult extends ModuleResult {
  readonly path: string;
  /** What is at path after the task (or would be, under --check). */
  readonly state: FileKind;
}

/** Paths no task may delete recursively, whatever its parameters say. */
const PROTECTED = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var']);

function check(p: FileParams): { state: FileState; attrs: WantedAttributes } {
  absolutePath(p.path, 'file');
  const state = p.state ?? 'file';
  if (state === 'link' && !p.src) throw new ConfigError(`file ${p.path}: state 'link' needs src (the link's target)`);
  if (state !== 'link' && p.src !== undefined) throw new ConfigError(`file ${p.path}: src is only for state 'link'`);
  if (state === 'absent' && PROTECTED.has(p.path.replace(/\/+$/, '') || '/')) {
    throw new ConfigError(`file ${p.path}: refusing to remove a system directory`);
  }
  return { state, attrs: wantedAttributes(p, `file ${p.path}`) };
}

/** Every wanted attribute as a change: for paths the task is about to create. */
function allOf(attrs: WantedAttributes): SettingChange[] {
  const out: SettingChange[] = [];
  if (attrs.owner !== undefined) out.push({ key: 'owner', before: '', after: attrs.owner });
  if (attrs.group !== undefined) out.push({ key: 'group', before: '', after: attrs.group });
  if (attrs.mode !== undefined) out.push({ key: 'mode', before: '', after: formatMode(attrs.mode) });
  return out;
}

interface Plan {
  readonly commands: string[];
  readonly changes: SettingChange[];
  readonly after: FileKind;
}

function plan(p: FileParams, state: FileState, attrs: WantedAttributes, cur: RemoteFile, host: string): Plan {
  const where = `${p.path} on ${host}`;
  const kindChange = (after: FileKind): SettingChange => ({ key: 'state', before: cur.kind, after });
  const withAttrs = (create: string, after: FileKind, isLink = false): Plan => {
    const attrChanges = allOf(attrs);
    const fix = attributeCommand(p.path, attrs, attrChanges, isLink);
    return { commands: fix ? [create, fix] : [create], changes: [kindChange(after), ...attrChanges], after };
  };
  const attrsOnly = (isLink = false): Plan => {
    const changes = attributeChanges(cur, attrs);
    return { commands: changes.length ? [attributeCommand(p.path, attrs, changes, isLink)] : [], changes, after: cur.kind };
  };
  switch (state) {
    case 'absent':
      if (cur.kind === 'absent') return { commands: [], changes: [], after: 'absent' };
      return { commands: [cur.kind === 'directory' ? sh`rm -rf -- ${p.path}` : sh`rm -f -- ${p.path}`], changes: [kindChange('absent')], after: 'absent' };
    case 'directory':
      if (cur.kind === 'absent') return withAttrs(sh`mkdir -p -- ${p.path}`, 'directory');
      if (cur.kind !== 'directory') throw new ModuleError(`${where} exists and is a ${cur.kind}, not a directory; remove it first (state 'absent')`);
      return attrsOnly();
    case 'file':
      if (cur.kind === 'absent') throw new ModuleError(`${where} does not exist; use state 'touch' to create it empty, or copy/template to give it content`);
      if (cur.kind !== 'file') throw new ModuleError(`${where} is a ${cur.kind}, not a regular file`);
      return attrsOnly();
    case 'touch':
      if (cur.kind === 'absent') {
        if (!cur.parentIsDir) throw new ModuleError(`cannot create ${where}: its directory does not exist (create it with state 'directory')`);
        return withAttrs(sh`touch -- ${p.path}`, 'file');
      }
      if (cur.kind === 'directory') throw new ModuleError(`${where} is a directory, not a file`);
      return attrsOnly();
    case 'link': {
      const src = p.src!;
      if (cur.kind === 'link' && cur.linkTarget === src) return attrsOnly(true);
      if (cur.kind === 'absent') {
        if (!cur.parentIsDir) throw new ModuleError(`cannot create ${where}: its directory does not exist (create it with state 'directory')`);
        return withAttrs(sh`ln -s -- ${src} ${p.path}`, 'link', true);
      }
      if (cur.kind === 'link') {
        const plan = withAttrs(sh`ln -sfn -- ${src} ${p.path}`, 'link', true);
        return { ...plan, changes: [{ key: 'link', before: cur.linkTarget ?? '', after: src }, ...plan.changes.slice(1)] };
      }
      if (!p.force) throw new ModuleError(`${where} is a ${cur.kind}, not a symlink; set force: true to replace it with a link to ${src}`);
      // rmdir only removes an empty directory: a forced link never deletes data.
      const replace = cur.kind === 'directory' ? sh`rmdir -- ${p.path} && ln -s -- ${src} ${p.path}` : sh`ln -sf -- ${src} ${p.path}`;
      return withAttrs(replace, 'link', true);
    }
  }
}

export const file = defineModule<FileParams, FileResult, { state: FileState; attrs: WantedAttributes }>({
  name: 'file',
  checkMode: true,
  describe: (p) => `file ${p.path} state=${p.state ?? 'file'}`,
  preflight: check,
  async run(p, ctx, { state, attrs }) {
    // A link (or its removal) concerns the path itself; the other states follow symlinks as Ansible does.
    const cur = await readRemoteFile(ctx, p.path, { depth: 'meta', follow: state !== 'link' && state !== 'absent' });
    const todo = plan(p, state, attrs, cur, ctx.host);
    if (!todo.commands.length) return { changed: false, msg: `${p.path} is ${state === 'touch' ? 'a file' : state === 'absent' ? 'absent' : 'as wanted'}`, path: p.path, state: todo.after };
    const diffs = [settingsDiff(p.path, todo.changes)];
    if (ctx.check) return { changed: true, msg: `would set ${p.path} ${summarize(todo.changes)}`, diffs, path: p.path, state: todo.after };
    await must(ctx, todo.commands.join(' && '));
    return { changed: true, msg: `${p.path} ${summarize(todo.changes)}`, diffs, path: p.path, state: todo.after };
  },
});
