// Ansible INI inventories, read as ansible-core's ini plugin reads them: lines before any header are hosts of
// 'ungrouped'; [g] host lines (shlex words, key=value typed as Python literals), [g:vars] key = value lines
// (the whole rest of the line is the value: no shlex, so `a b # c` stays that text), [g:children] group names;
// a child or vars section may name a group declared further down. Comments start with # or ; at a line's start.
import { ConfigError } from '../errors';
import { parseAddress } from './addresses';
import type { InventoryDraft, VarLayer } from './draft';
import { excerpt } from './excerpt';
import { expandHostRange, hasRange } from './host-range';
import { shlexSplit, typeIniValue } from './ini-values';
import { UnsupportedLiteral } from './python-literal';

type SectionKind = 'hosts' | 'vars' | 'children';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/u;
const GROUP_LINE = /^([^:\]\s]+)\s*(?:#.*)?$/u;
// Python's str.splitlines() separators.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

interface Pending {
  readonly line: number;
  readonly kind: 'vars' | 'children';
  readonly parents: string[];
}

/** `lines` as Ansible splits them; a line it could not decode is given as undefined (reported if not a comment). */
export function parseIniInventory(text: string, file: string, draft: InventoryDraft): void {
  const lines = text.split(LINE_BREAK);
  if (lines.at(-1) === '') lines.pop();
  let group = 'ungrouped';
  let kind: SectionKind = 'hosts';
  const pending = new Map<string, Pending>();

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const origin = `${file}:${lineNo}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const fail = (why: string): never => {
      throw new ConfigError(`${origin}: ${why}`);
    };

    const header = SECTION.exec(line);
    if (header) {
      group = header[1] ?? '';
      const suffix = header[2];
      if (suffix !== undefined && suffix !== 'vars' && suffix !== 'children' && suffix !== 'hosts') {
        return fail(`unknown section kind ':${suffix}' in '${excerpt(line)}' (use :vars or :children)`);
      }
      kind = (suffix ?? 'hosts') as SectionKind;
      if (!draft.groups.has(group)) {
        // [g:vars] alone does not declare g: it must be declared by [g] or [g:children] somewhere.
        if (kind === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, kind: 'vars', parents: [] });
        draft.group(group, origin);
      }
      const waiting = pending.get(group);
      if (waiting && kind !== 'vars') {
        if (waiting.kind === 'children') addPendingChildren(group, pending, draft, file);
        else pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      return fail(`malformed section header '${excerpt(line)}' (no spaces or ':' in a group name)`);
    }

    if (kind === 'hosts') {
      // An unclosed '[group' is read as a host word, whose range then fails: name the real mistake.
      const header = (why: string): never => fail(line.startsWith('[') ? `malformed section header '${excerpt(line)}'` : why);
      hostLine(line, origin, group, draft, fail, header);
    } else if (kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) return fail(`expected key=value in [${group}:vars], got '${excerpt(line)}'`);
      const key = line.slice(0, eq).trim();
      const value = typed(line.slice(eq + 1).trim(), fail);
      draft.addGroupVars(group, origin, new Map([[key, { value, origin }]]));
    } else {
      const m = GROUP_LINE.exec(line);
      if (!m) return fail(`[${group}:children] takes one group name per line, got '${excerpt(line)}'`);
      const child = m[1] ?? '';
      if (draft.groups.has(child)) {
        draft.addChild(group, child, origin);
      } else {
        const waiting = pending.get(child);
        if (waiting) waiting.parents.push(group);
        else pending.set(child, { line: lineNo, kind: 'children', parents: [group] });
      }
    }
  });

  for (const [name, { line, kind, parents }] of pending) {
    const origin = `${file}:${line}`;
    if (kind === 'vars') throw new ConfigError(`${origin}: [${name}:vars] is for undefined group '${name}'`);
    throw new ConfigError(`${origin}: [${parents.at(-1) ?? ''}:children] includes undefined group '${name}'`);
  }
}

function addPendingChildren(group: string, pending: Map<string, Pending>, draft: InventoryDraft, file: string): void {
  const waiting = pending.get(group);
  if (!waiting) return;
  for (const parent of waiting.parents) {
    draft.addChild(parent, group, `${file}:${waiting.line}`);
    if (pending.get(parent)?.kind === 'children') addPendingChildren(parent, pending, draft, file);
  }
  pending.delete(group);
}

function typed(text: string, fail: (why: string) => never): unknown {
  try {
    return typeIniValue(text);
  } catch (e) {
    if (e instanceof UnsupportedLiteral) return fail(`the value ${excerpt(text)}: ${e.message}`);
    throw e;
  }
}

function hostLine(
  line: string,
  origin: string,
  group: string,
  draft: InventoryDraft,
  fail: (why: string) => never,
  badWord: (why: string) => never,
): void {
  let words: string[];
  try {
    words = shlexSplit(line);
  } catch (e) {
    return fail(`malformed host line '${excerpt(line)}': ${(e as Error).message}`);
  }
  if (words.length === 0) return; // a line holding only a comment after spaces
  const [first = '', ...assignments] = words;
  const vars: VarLayer = new Map();
  for (const word of assignments) {
    const eq = word.indexOf('=');
    if (eq < 0) fail(`malformed host line '${excerpt(line)}': expected key=value after the host name, got '${excerpt(word)}'`);
    vars.set(word.slice(0, eq), { value: typed(word.slice(eq + 1), fail), origin });
  }
  const { names, port } = hostPattern(first, badWord);
  for (const name of names) draft.addHost(name, origin, new Map(vars), group, port);
}

/** Ansible's _expand_hostpattern for a host word: name[:port] with ranges expanded; a trailing ':' refused. */
export function hostPattern(word: string, fail: (why: string) => never, ini = true): { names: string[]; port?: number } {
  const parsed = parseAddress(word, true);
  const pattern = parsed?.host ?? word;
  const port = parsed?.port;
  if (ini && word.trim().endsWith(':') && port === undefined) {
    return fail(`invalid host '${excerpt(word)}': a trailing ':' is reserved for a port`);
  }
  let names: string[];
  try {
    names = hasRange(pattern) ? expandHostRange(pattern) : [pattern];
  } catch (e) {
    return fail(`host '${excerpt(word)}': ${(e as Error).message}`);
  }
  if (ini && names.some((n) => n.trim() === '---')) return fail(`invalid host '---': this looks like a YAML file`);
  return port === undefined ? { names } : { names, port };
}
