// lineinfile's edit, as Ansible defines it: replace the last line matching regexp, else leave an
// identical line alone, else insert (after the last insertafter match, before the last insertbefore
// match, at BOF or at EOF). Absent removes every matching line.
import { body, eolOf, insertAt, lastMatch, splitLines } from './lines';

export interface LineEdit {
  readonly state: 'present' | 'absent';
  readonly line?: string;
  readonly regexp?: RegExp;
  readonly insertafter?: 'EOF' | RegExp;
  readonly insertbefore?: 'BOF' | RegExp;
}

export function editLine(text: string, e: LineEdit): string {
  const lines = splitLines(text);
  if (e.state === 'absent') {
    const gone = (l: string): boolean => (e.regexp ? e.regexp.test(body(l)) : body(l) === e.line);
    return lines.filter((l) => !gone(l)).join('');
  }
  const line = e.line ?? '';
  const hit = e.regexp ? lastMatch(lines, e.regexp) : -1;
  if (hit >= 0) {
    if (body(lines[hit]!) !== line) lines[hit] = line + (eolOf(lines[hit]!) || '\n');
    return lines.join('');
  }
  if (lines.some((l) => body(l) === line)) return text;
  return insertAt(lines, e, [line + '\n']);
}
