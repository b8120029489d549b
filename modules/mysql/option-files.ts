// MariaDB's option files as the server reads them: the default files in order, their !include and !includedir
// (a directory's *.cnf in name order), the groups mariadbd reads. Every line of those groups is kept with its
// file and line number, so a setting can be traced to where it is written, and the whole is checked against
// `my_print_defaults` (what MariaDB itself reads): when the two disagree, nothing here claims to know the source.
import type { ModuleContext } from '../../engine/types';
import { sh } from '../../engine/shell';
import { probe } from '../lib/exec';

/** One option line of a server group. */
export interface OptionLine {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly group: string;
  /** As written, without the loose- prefix ("log-bin", "server_id"). */
  readonly written: string;
  /** Dashes as underscores, lower case, prefixes resolved: "log_bin", "server_id". */
  readonly name: string;
  /** Undefined for a bare option ("log-bin"). */
  readonly value?: string;
  /** skip-NAME / disable-NAME: the option turned off. */
  readonly negated: boolean;
  /** The raw line (for messages and for commenting it out). */
  readonly text: string;
}

export interface OptionFiles {
  /** Files read, in order (includes expanded where they appear). */
  readonly files: readonly string[];
  /** The groups mariadbd reads ([mysqld], [server], [mariadb], ...). */
  readonly groups: readonly string[];
  /** Every option line of those groups, in the order the server reads them. */
  readonly lines: readonly OptionLine[];
  /** `my_print_defaults --mysqld`, one option per entry. */
  readonly printed: readonly string[];
  /** True when the lines above, printed as my_print_defaults prints them, are exactly its output. */
  readonly explained: boolean;
}

interface ParsedFile {
  readonly entries: readonly ({ kind: 'option'; line: number; group: string; text: string; key: string; value?: string } | { kind: 'include' | 'includedir'; path: string })[];
}

/** Option names are case-insensitive with - and _ alike. */
export const optionName = (written: string): string => written.trim().toLowerCase().replace(/-/g, '_');

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    return t.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', s: ' ' })[c] ?? c);
  }
  return t;
}

/** Strip an inline # comment outside quotes (MariaDB ends a value there). */
function stripComment(v: string): string {
  let quote: string | undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return v.slice(0, i);
  }
  return v;
}

export function parseOptionFile(text: string): ParsedFile {
  const entries: ParsedFile['entries'][number][] = [];
  let group = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const inc = /^!(include|includedir)\s+(.+)$/.exec(line);
    if (inc) {
      entries.push({ kind: inc[1] as 'include' | 'includedir', path: inc[2]!.trim() });
      return;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      group = header[1]!.trim().toLowerCase();
      return;
    }
    const body = stripComment(line).trim();
    const eq = body.indexOf('=');
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : unquote(body.slice(eq + 1));
    if (key) entries.push({ kind: 'option', line: i + 1, group, text: raw, key, value });
  });
  return { entries };
}

/** `mariadbd --help --verbose`: "Default options are read from the following files in the given order:" and the groups. */
export function parseHelpDefaults(help: string): { files: string[]; groups: string[] } {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => /^Default options are read from the following files/.test(l));
  const files = at >= 0 ? (lines[at + 1] ?? '').trim().split(/\s+/).filter(Boolean) : [];
  const groups = (/^The following groups are read: (.*)$/m.exec(help)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  return { files, groups };
}

function optionLine(file: string, e: { line: number; group: string; text: string; key: string; value?: string }): OptionLine {
  let written = e.key;
  if (/^loose[-_]/i.test(written)) written = written.slice(6);
  let name = optionName(written);
  let negated = false;
  const neg = /^(skip|disable)_(.+)$/.exec(name);
  if (neg) {
    negated = true;
    name = neg[2]!;
  } else if (/^enable_/.test(name)) name = name.slice(7);
  return { file, line: e.line, group: e.group, written, name, value: e.value, negated, text: e.text };
}

/** How my_print_defaults prints a line: --key or --key=value, as written. */
const printedForm = (e: { key: string; value?: string }): string => `--${e.key}${e.value !== undefined ? `=${e.value}` : ''}`;

/** The server binary's name on this host (mariadbd since 10.5, mysqld before). */
export const SERVER_BINARY = 'b=$(command -v mariadbd || command -v mysqld || echo /usr/sbin/mariadbd)';

/** Read the option files the server reads, through the host's connection. */
export async function readOptionFiles(ctx: ModuleContext): Promise<OptionFiles> {
  const [help, printedOut] = await Promise.all([
    probe(ctx, `${SERVER_BINARY}; "$b" --help --verbose 2>/dev/null | sed -n '/^Default options/,/^The following groups/p'`),
    probe(ctx, 'my_print_defaults --mysqld'),
  ]);
  const { files: defaults, groups } = parseHelpDefaults(help.stdout);
  const home = (await probe(ctx, 'printf %s "$HOME"')).stdout.trim() || '/root';
  const files: string[] = [];
  const lines: OptionLine[] = [];
  const printed: string[] = [];
  const read = async (file: string, depth: number): Promise<void> => {
    if (depth > 10) return;
    const buf = await ctx.conn.get(file, { become: ctx.become });
    if (!buf) return;
    files.push(file);
    for (const e of parseOptionFile(buf.toString('utf8')).entries) {
      if (e.kind === 'include') await read(e.path, depth + 1);
      else if (e.kind === 'includedir') {
        const ls = await probe(ctx, sh`ls -1 -- ${e.path}`);
        const names = ls.stdout.split('\n').filter((n) => n.endsWith('.cnf')).sort();
        for (const n of names) await read(`${e.path.replace(/\/+$/, '')}/${n}`, depth + 1);
      } else if (e.kind === 'option' && groups.includes(e.group)) {
        lines.push(optionLine(file, e));
        printed.push(printedForm(e));
      }
    }
  };
  for (const f of defaults) await read(f.replace(/^~/, home), 0);
  const fromTool = printedOut.stdout.split('\n').filter(Boolean);
  return { files, groups, lines, printed: fromTool, explained: printedOut.code === 0 && JSON.stringify(fromTool) === JSON.stringify(printed) };
}

/** The value the server takes for a single-valued option: the last line naming it (undefined: not set). */
export function lastSetting(lines: readonly OptionLine[], name: string): OptionLine | undefined {
  return [...lines].reverse().find((l) => l.name === name);
}

export const where = (l: OptionLine): string => `${l.file}:${l.line}`;
