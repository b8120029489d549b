// blockinfile's edit: a block of lines between a BEGIN and an END marker line, replaced as a whole;
// inserted (at EOF, BOF or next to a matching line) when the markers are not there yet.
import { body, insertAt, splitLines } from './lines';

export interface BlockEdit {
  readonly state: 'present' | 'absent';
  /** The block's lines; empty with state present removes the block, as Ansible does. */
  readonly block: string;
  readonly beginMarker: string;
  readonly endMarker: string;
  readonly insertafter?: 'EOF' | RegExp;
  readonly insertbefore?: 'BOF' | RegExp;
}

export function editBlock(text: string, e: BlockEdit): string {
  const lines = splitLines(text);
  const blockText = e.block.replace(/\r?\n$/, '');
  const wanted = e.state === 'present' && blockText !== '' ? [e.beginMarker, ...blockText.split('\n'), e.endMarker].map((l) => l + '\n') : [];
  let begin = -1;
  let end = -1;
  lines.forEach((l, i) => {
    if (body(l) === e.beginMarker) begin = i;
    if (body(l) === e.endMarker) end = i;
  });
  if (begin >= 0 && end >= 0) {
    const [from, to] = begin <= end ? [begin, end] : [end, begin];
    // Keep what followed the old END marker when it had no newline (last line of the file).
    if (!lines[to]!.endsWith('\n') && wanted.length) wanted[wanted.length - 1] = e.endMarker;
    lines.splice(from, to - from + 1, ...wanted);
    return lines.join('');
  }
  if (!wanted.length) return text;
  return insertAt(lines, e, wanted);
}
