// blockinfile: a block of lines kept between marker lines, replaced as a whole when it differs.
import { ConfigError } from '../engine/errors';
import { attributeTarget, defineTextEditor, type EditResult } from './lib/edit-file';
import { absolutePath, type FileAttributeParams } from './lib/params';
import { anchorParam } from './lib/patterns';
import { editBlock, type BlockEdit } from './lib/text/block-edit';

export interface BlockInFileParams extends FileAttributeParams {
  readonly path: string;
  /** The lines between the markers; '' (or state absent) removes the block and its markers. */
  readonly block?: string;
  readonly state?: 'present' | 'absent';
  /** The marker line template; '{mark}' becomes markerBegin / markerEnd. Default '# {mark} MANAGED BLOCK'. */
  readonly marker?: string;
  readonly markerBegin?: string;
  readonly markerEnd?: string;
  readonly insertafter?: 'EOF' | RegExp | string;
  readonly insertbefore?: 'BOF' | RegExp | string;
  /** Create the file when missing (default false). */
  readonly create?: boolean;
}

export type BlockInFileResult = EditResult;

export const DEFAULT_MARKER = '# {mark} MANAGED BLOCK';

function toEdit(p: BlockInFileParams): BlockEdit {
  absolutePath(p.path, 'blockinfile');
  const what = `blockinfile ${p.path}`;
  const marker = p.marker ?? DEFAULT_MARKER;
  if (!marker.includes('{mark}')) throw new ConfigError(`${what}: marker must contain {mark}`);
  const begin = marker.replace('{mark}', p.markerBegin ?? 'BEGIN');
  const end = marker.replace('{mark}', p.markerEnd ?? 'END');
  if (begin === end || /[\r\n]/.test(begin + end)) throw new ConfigError(`${what}: begin and end markers must be distinct single lines`);
  if (p.insertafter !== undefined && p.insertbefore !== undefined) throw new ConfigError(`${what}: give insertafter or insertbefore, not both`);
  const state = p.state ?? 'present';
  if (state === 'present' && p.block === undefined) throw new ConfigError(`${what}: state 'present' needs block`);
  return {
    state,
    block: p.block ?? '',
    beginMarker: begin,
    endMarker: end,
    insertafter: anchorParam(p.insertafter, 'EOF', `${what} insertafter`),
    insertbefore: anchorParam(p.insertbefore, 'BOF', `${what} insertbefore`),
  };
}

export const blockinfile = defineTextEditor<BlockInFileParams, BlockEdit>({
  name: 'blockinfile',
  describe: (p) => `blockinfile ${p.path}${p.state === 'absent' ? ' state=absent' : ''}`,
  preflight: (p) => ({ edit: toEdit(p), target: attributeTarget(p, `blockinfile ${p.path}`, false) }),
  apply: editBlock,
});
