// Ansible host ranges, as expand_hostname_range reads them: web[1:3], web[01:10] (zero-padded: both bounds the
// same width), db-[a:c] (ASCII letters, a..z then A..Z), node[0:10:2] (stride), several per name.
// Deliberately stricter: a range that ends before it starts (Ansible silently makes no host) and one making more
// than 10000 hosts are refused. Throws Error with the reason; the caller adds file:line.

const MAX_HOSTS = 10000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function hasRange(pattern: string): boolean {
  return pattern.includes('[');
}

export function expandHostRange(pattern: string): string[] {
  if (!hasRange(pattern)) return [pattern];
  // Ansible splits at the first '[' and then the first ']', whatever their order.
  const parts = pattern.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new Error(`'${pattern}' is not a host range (name[start:end])`);
  const [head = '', body = '', tail = ''] = parts;
  const bounds = body.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error('host range must be begin:end or begin:end:step');
  const begin = bounds[0] || '0';
  const end = bounds[1] ?? '';
  if (end === '') throw new Error('host range must specify end value');
  const step = bounds.length === 3 ? pythonInt(bounds[2] ?? '', body) : 1;
  if (step === 0) throw new Error(`range '[${body}]' has a step of 0`);
  if (step < 0) throw new Error(`range '[${body}]' has a negative step`);

  let width = 0;
  if (begin.startsWith('0') && begin.length > 1) {
    if (begin.length !== end.length) throw new Error('host range must specify equal-length begin and end formats');
    width = begin.length;
  }
  const items = letterRange(begin, end, step, body) ?? numberRange(begin, end, step, body, width);
  const out: string[] = [];
  for (const item of items) {
    const name = `${head}${item}${tail}`;
    for (const expanded of expandHostRange(name)) {
      out.push(expanded);
      if (out.length > MAX_HOSTS) throw new Error(`'${pattern}' makes more than ${MAX_HOSTS} hosts`);
    }
  }
  return out;
}

/** string.ascii_letters[index(begin):index(end)+1:step]; undefined when the bounds are not in that alphabet. */
function letterRange(begin: string, end: string, step: number, body: string): string[] | undefined {
  const from = LETTERS.indexOf(begin);
  const to = LETTERS.indexOf(end);
  if (from < 0 || to < 0) return undefined;
  if (from > to) throw new Error('host range must have begin <= end');
  const out: string[] = [];
  for (let i = from; i <= to; i += step) out.push(LETTERS[i]!);
  if (out.length === 0) throw new Error(`range '[${body}]' makes no host`);
  return out;
}

function numberRange(beginText: string, endText: string, step: number, body: string, width: number): string[] {
  const begin = pythonInt(beginText, body);
  const end = pythonInt(endText, body);
  if (end < begin) throw new Error(`range '[${body}]' ends before it starts`);
  if ((end - begin) / step >= MAX_HOSTS) throw new Error(`range '[${body}]' makes more than ${MAX_HOSTS} hosts`);
  const out: string[] = [];
  for (let n = begin; n <= end; n += step) out.push(width ? zfill(n, width) : String(n));
  return out;
}

/** Python's int(text): optional sign, digits with single underscores, surrounding whitespace. */
function pythonInt(text: string, body: string): number {
  if (!/^\s*[-+]?[0-9](?:_?[0-9])*\s*$/.test(text)) throw new Error(`range '[${body}]' mixes or lacks bounds ('${text}' is no number)`);
  return Number(text.trim().replace(/_/g, ''));
}

/** str(n).zfill(width): the sign stays in front of the zeros. */
function zfill(n: number, width: number): string {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(width - 1, '0')}` : digits.padStart(width, '0');
}
