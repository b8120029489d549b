// Ansible host ranges: web[1:3], web[01:10] (zero-padded), db-[a:c], node[0:10:2] (stride).
// Throws Error with the reason; the caller adds file:line.

const RANGE = /^([^[]*)\[([^\]]*)\](.*)$/s;
const MAX_HOSTS = 10000;

export function expandHostRange(pattern: string): string[] {
  const match = RANGE.exec(pattern);
  if (!match) {
    if (pattern.includes(']')) throw new Error(`unbalanced ']' in '${pattern}'`);
    return [pattern];
  }
  const [, head = '', body = '', tail = ''] = match;
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`range '[${body}]' must be [start:end] or [start:end:step]`);
  const [startText = '', endText = '', stepText = '1'] = parts;
  const step = Number(stepText);
  if (!/^[1-9][0-9]*$/.test(stepText)) throw new Error(`range '[${body}]' has a bad step '${stepText}'`);
  const items = /^[a-z]$/i.test(endText) ? letters(startText || 'a', endText, step, body) : numbers(startText || '0', endText, step, body);
  const tails = expandHostRange(tail);
  if (items.length * tails.length > MAX_HOSTS) throw new Error(`'${pattern}' makes more than ${MAX_HOSTS} hosts`);
  return items.flatMap((item) => tails.map((t) => `${head}${item}${t}`));
}

function numbers(startText: string, endText: string, step: number, body: string): string[] {
  if (!/^[0-9]+$/.test(startText) || !/^[0-9]+$/.test(endText)) throw new Error(`range '[${body}]' mixes or lacks bounds`);
  const start = Number(startText);
  const end = Number(endText);
  if (end < start) throw new Error(`range '[${body}]' ends before it starts`);
  if ((end - start) / step >= MAX_HOSTS) throw new Error(`range '[${body}]' makes more than ${MAX_HOSTS} hosts`);
  // A leading zero on the start asks for zero-padding to its width, as in Ansible.
  const width = startText.startsWith('0') && startText.length > 1 ? startText.length : 0;
  const out: string[] = [];
  for (let n = start; n <= end; n += step) out.push(String(n).padStart(width, '0'));
  return out;
}

function letters(startText: string, endText: string, step: number, body: string): string[] {
  if (!/^[a-z]$/i.test(startText)) throw new Error(`range '[${body}]' mixes or lacks bounds`);
  const start = startText.charCodeAt(0);
  const end = endText.charCodeAt(0);
  if (end < start) throw new Error(`range '[${body}]' ends before it starts`);
  const out: string[] = [];
  for (let c = start; c <= end; c += step) out.push(String.fromCharCode(c));
  return out;
}
