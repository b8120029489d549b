// lineinfile: make sure one line is in a file (replacing the last line matching regexp), or that no
// line matching regexp (or equal to line) is.
import { ConfigError } from '../engine/errors';
import { attributeTarget, defineTextEditor, type EditResult } from './lib/edit-file';
import { absolutePath, type FileAttributeParams } from './lib/params';
import { anchorParam, regexParam } from './lib/patterns';
import { editLine, type LineEdit } from './lib/text/line-edit';

export interface LineInFileParams extends FileAttributeParams {
  readonly path: string;
  /** The line to have (required for present); it replaces the last line matching regexp. */
  readonly line?: string;
  /** Lines to replace (present) or remove (absent). A string is a JavaScript RegExp source. */
  readonly regexp?: RegExp | string;
  readonly state?: 'present' | 'absent';
  /** Where a new line goes: after the last line matching this, or 'EOF' (default). */
  readonly insertafter?: 'EOF' | RegExp | string;
  /** Where a new line goes: before the last line matching this, or 'BOF'. */
  readonly insertbefore?: 'BOF' | RegExp | string;
  /** Create the file when missing (default false: a missing file is an error). */
  readonly create?: boolean;
}

export type LineInFileResult = EditResult;

function toEdit(p: LineInFileParams): LineEdit {
  absolutePath(p.path, 'lineinfile');
  const what = `lineinfile ${p.path}`;
  const state = p.state ?? 'present';
  if (p.line !== undefined && /[\r\n]/.test(p.line)) throw new ConfigError(`${what}: line must be a single line (use blockinfile for several)`);
  if (state === 'present' && p.line === undefined) throw new ConfigError(`${what}: state 'present' needs line`);
  if (state === 'absent' && p.line === undefined && p.regexp === undefined) throw new ConfigError(`${what}: state 'absent' needs regexp or line`);
  if (p.insertafter !== undefined && p.insertbefore !== undefined) throw new ConfigError(`${what}: give insertafter or insertbefore, not both`);
  return {
    state,
    line: p.line,
    regexp: regexParam(p.regexp, `${what} regexp`),
    insertafter: anchorParam(p.insertafter, 'EOF', `${what} insertafter`),
    insertbefore: anchorParam(p.insertbefore, 'BOF', `${what} insertbefore`),
  };
}

export const lineinfile = defineTextEditor<LineInFileParams, LineEdit>({
  name: 'lineinfile',
  describe: (p) => `lineinfile ${p.path}${p.line !== undefined ? ` line=${p.line}` : ''}${p.state === 'absent' ? ' state=absent' : ''}`,
  preflight: (p) => ({ edit: toEdit(p), target: attributeTarget(p, `lineinfile ${p.path}`, false) }),
  apply: editLine,
});
