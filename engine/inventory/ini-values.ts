// How Ansible's INI plugin reads a host line and a value: Python's shlex.split(line, comments=True) (POSIX
// mode) for the words, then ast.literal_eval for each value (python-literal.ts).
import { literalEval } from './python-literal';

const WHITESPACE = ' \t\r\n';

/** shlex.split(line, comments=True): quotes, backslash escapes, '#' starts a comment even mid-word. Throws Error. */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (WHITESPACE.includes(c)) {
      if (inToken) words.push(token);
      token = '';
      inToken = false;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      token += line.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('No closing quotation');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          token += line[i + 1];
          i += 2;
        } else {
          token += d;
          i++;
        }
      }
      inToken = true;
      i++;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) words.push(token);
  return words;
}

/** An INI value as Ansible types it: a Python literal (True, 22, 0x1F, [1, 2], {'a': 1}, '42') or the text. */
export function typeIniValue(text: string): unknown {
  return literalEval(text);
}
