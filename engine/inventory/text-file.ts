// Inventory files as text: UTF-8 or an error naming the file and line with a short escaped excerpt of it
// (a binary file must not print kilobytes of raw bytes). INI files may hold non-UTF-8 bytes in comment lines,
// as Ansible allows.
import { ConfigError } from '../errors';
import { excerpt } from './excerpt';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

export function decodeText(bytes: Buffer, file: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw notText(bytes, file, false);
  }
}

/** The text of an INI file: lines starting with # or ; may hold any bytes (they become empty lines). */
export function decodeIniText(bytes: Buffer, file: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    const lines = splitBytes(bytes).map((line) => {
      if (line[0] === 0x23 || line[0] === 0x3b) return '';
      try {
        return strict.decode(line);
      } catch {
        return undefined;
      }
    });
    if (lines.some((l) => l === undefined)) throw notText(bytes, file, true);
    return lines.join('\n');
  }
}

function notText(bytes: Buffer, file: string, iniComments: boolean): ConfigError {
  const lines = splitBytes(bytes);
  const at = lines.findIndex((line) => {
    if (iniComments && (line[0] === 0x23 || line[0] === 0x3b)) return false;
    try {
      strict.decode(line);
      return false;
    } catch {
      return true;
    }
  });
  const line = lines[Math.max(0, at)] ?? Buffer.alloc(0);
  return new ConfigError(`${file}:${at + 1}: not UTF-8 text (a binary file?): '${excerpt(lenient.decode(line), 60)}'`);
}

/** Lines as Python's bytes.splitlines() cuts them (\n, \r\n, \r). */
function splitBytes(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    out.push(bytes.subarray(start, i));
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}
