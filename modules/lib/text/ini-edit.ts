// A line-preserving INI editor for my.cnf-style files: sections, `key = value` options, bare options
// (`log-bin`), `#`/`;` comments and `!include` directives. Only the lines an edit concerns change;
// comments, order and spacing of everything else stay as they were.
import { body, eolOf, splitLines, terminateLast } from './lines';

export interface IniEdit {
  /** null: the options before the first section header. */
  readonly section: string | null;
  /** Without an option: present ensures the section exists, absent removes the whole section. */
  readonly option?: string;
  /** null or undefined with state present: a bare option without '=' (MySQL's `log-bin`, `skip-name-resolve`). */
  readonly value?: string | null;
  readonly state: 'present' | 'absent';
  /** true (default): the option appears once; other occurrences are removed. false: one line per value. */
  readonly exclusive: boolean;
  /** MySQL/MariaDB: `log-bin` and `log_bin` name the same option. */
  readonly equivalentDashes: boolean;
  /** How new options are written: 'key = value' (default) or 'key=value'. */
  readonly spaced: boolean;
}

type Parsed =
  | { readonly kind: 'section'; readonly name: string }
  | { readonly kind: 'option'; readonly key: string; readonly value: string | null }
  | { readonly kind: 'other' };

const SECTION = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/;
const OPTION = /^(\s*)([^=]*?)(\s*=\s*)(.*?)\s*$/;

function parse(line: string): Parsed {
  const b = body(line);
  const s = SECTION.exec(b);
  if (s) return { kind: 'section', name: s[1]!.trim() };
  if (/^\s*([#;!]|$)/.test(b)) return { kind: 'other' };
  const eq = b.indexOf('=');
  if (eq < 0) return { kind: 'option', key: b.trim(), value: null };
  return { kind: 'option', key: b.slice(0, eq).trim(), value: b.slice(eq + 1).trim() };
}

/** Each occurrence of the section: [first line after the header, end exclusive); header index -1 for top level. */
function ranges(lines: readonly string[], section: string | null): Array<{ header: number; from: number; to: number }> {
  const out: Array<{ header: number; from: number; to: number }> = [];
  let current: { header: number; from: number; to: number } | undefined = section === null ? { header: -1, from: 0, to: lines.length } : undefined;
  lines.forEach((l, i) => {
    const p = parse(l);
    if (p.kind !== 'section') return;
    if (current) {
      current.to = i;
      out.push(current);
      current = undefined;
    }
    if (section !== null && p.name === section) current = { header: i, from: i + 1, to: lines.length };
  });
  if (current) out.push(current);
  return out;
}

export function editIni(text: string, e: IniEdit): string {
  const lines = splitLines(text);
  const norm = (k: string): string => (e.equivalentDashes ? k.replace(/-/g, '_') : k);
  const occurrences = ranges(lines, e.section);
  const drop = new Set<number>();

  if (e.option === undefined) {
    if (e.state === 'absent') {
      for (const r of occurrences) for (let i = Math.max(r.header, 0); i < r.to; i++) drop.add(i);
      return lines.filter((_, i) => !drop.has(i)).join('');
    }
    if (occurrences.length) return text;
    return appendSection(lines, e.section!, []).join('');
  }

  const wantKey = norm(e.option);
  const value = e.value ?? null;
  const matches: number[] = [];
  for (const r of occurrences) {
    for (let i = r.from; i < r.to; i++) {
      const p = parse(lines[i]!);
      if (p.kind === 'option' && norm(p.key) === wantKey) matches.push(i);
    }
  }
  const valueOf = (i: number): string | null => {
    const p = parse(lines[i]!);
    return p.kind === 'option' ? p.value : null;
  };

  if (e.state === 'absent') {
    for (const i of matches) if (e.exclusive || e.value === undefined || valueOf(i) === value) drop.add(i);
    return lines.filter((_, i) => !drop.has(i)).join('');
  }

  const newLine = value === null ? e.option : `${e.option}${e.spaced ? ' = ' : '='}${value}`;
  if (e.exclusive && matches.length) {
    const [first, ...rest] = matches;
    if (valueOf(first!) !== value) lines[first!] = rewrite(lines[first!]!, value, e.spaced);
    rest.forEach((i) => drop.add(i));
    return lines.filter((_, i) => !drop.has(i)).join('');
  }
  if (!e.exclusive && matches.some((i) => valueOf(i) === value)) return text;

  const target = occurrences[0];
  if (!target) return appendSection(lines, e.section!, [newLine]).join('');
  // After the section's last option (else right after its header): blank lines and comments that
  // lead into the next section stay with it.
  // At the top level (no header) without options yet: just before the first section.
  let at = target.header < 0 ? target.to : target.from;
  let seen = false;
  for (let i = target.from; i < target.to; i++) {
    if (parse(lines[i]!).kind === 'option') [at, seen] = [i + 1, true];
  }
  if (!seen && target.header < 0) while (at > 0 && body(lines[at - 1]!).trim() === '') at--;
  if (at === lines.length) terminateLast(lines);
  lines.splice(at, 0, newLine + '\n');
  return lines.join('');
}

/** A new value on an existing option line, keeping its indentation, key spelling and spacing around '='. */
function rewrite(line: string, value: string | null, spaced: boolean): string {
  const eol = eolOf(line) || '\n';
  const b = body(line);
  const m = OPTION.exec(b);
  if (m) {
    const [, indent, key, sep] = m;
    return (value === null ? `${indent}${key}` : `${indent}${key}${sep}${value}`) + eol;
  }
  const indent = /^\s*/.exec(b)![0];
  const key = b.trim();
  return (value === null ? `${indent}${key}` : `${indent}${key}${spaced ? ' = ' : '='}${value}`) + eol;
}

function appendSection(lines: string[], section: string, options: readonly string[]): string[] {
  terminateLast(lines);
  if (lines.length && body(lines[lines.length - 1]!).trim() !== '') lines.push('\n');
  lines.push(`[${section}]\n`, ...options.map((o) => o + '\n'));
  return lines;
}
