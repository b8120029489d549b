// modules/lib/text/: the text editors' pure edits, string in and string out, no host (line-, block-, ini-,
// hosts-edit.ts); this file is what they share.
// Text as a list of lines that keep their own line endings, so untouched lines stay byte-for-byte.

/** Split keeping each line's ending ("\n" or "\r\n"); a last line without one stays without. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A line without its ending. */
export function body(line: string): string {
  return line.replace(/\r?\n$/, '');
}

/** The line ending a replacement of `line` should carry: the same as it had. */
export function eolOf(line: string): string {
  return line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
}

/** Make sure the last line ends with a newline before something is appended after it. */
export function terminateLast(lines: string[]): void {
  const last = lines.length - 1;
  if (last >= 0 && !lines[last]!.endsWith('\n')) lines[last] += '\n';
}

/** Index of the last line whose body matches, or -1. */
export function lastMatch(lines: readonly string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(body(lines[i]!))) return i;
  return -1;
}

/** A user's pattern as a RegExp without the stateful g/y flags (test() must not remember positions). */
export function toRegExp(pattern: RegExp | string): RegExp {
  return typeof pattern === 'string' ? new RegExp(pattern) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/** Where lineinfile/blockinfile insert new lines: Ansible's insertbefore/insertafter (last match), else the end. */
export function insertAt(
  lines: string[],
  where: { readonly insertbefore?: RegExp | 'BOF'; readonly insertafter?: RegExp | 'EOF' },
  added: readonly string[],
): string {
  let at = lines.length;
  if (where.insertbefore === 'BOF') at = 0;
  else if (where.insertbefore instanceof RegExp) {
    const i = lastMatch(lines, where.insertbefore);
    if (i >= 0) at = i;
  } else if (where.insertafter instanceof RegExp) {
    const i = lastMatch(lines, where.insertafter);
    if (i >= 0) at = i + 1;
  }
  if (at === lines.length) terminateLast(lines);
  lines.splice(at, 0, ...added);
  return lines.join('');
}
