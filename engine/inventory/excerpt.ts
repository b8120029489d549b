// Text quoted in an error message: control and non-printable characters escaped, cut to a short excerpt, so a
// line of a binary file never floods the terminal.
const MAX_CHARS = 80;

export function excerpt(text: string, max = MAX_CHARS): string {
  let out = '';
  let shown = 0;
  for (const ch of text) {
    if (shown >= max) return `${out}... (${text.length} characters)`;
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfffd) {
      out += code === 0xfffd ? '\\ufffd' : `\\x${code.toString(16).padStart(2, '0')}`;
    } else out += ch;
    shown++;
  }
  return out;
}
