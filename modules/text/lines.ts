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
