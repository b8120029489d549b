// Ansible host patterns, evaluated as ansible-core's InventoryManager does: split on ',' (else on ':' unless
// the whole pattern is one address), plain terms first, then '&' terms, then '!' terms; each term a host name,
// or groups and hosts matched by fnmatch glob or `~regex`, with an optional [i] / [i:j] subscript on what it
// matched; the result in evaluation order without repeats. Deliberately stricter: a plain name (no glob, no
// regex) that matches nothing is an error (Ansible warns "Could not match supplied host pattern" and goes on).
import { ConfigError } from '../errors';
import type { HostName } from '../types';
import { parseAddress } from './addresses';
import { excerpt } from './excerpt';

export interface PatternIndex {
  readonly source: string;
  /** Every host, in the order first seen. */
  readonly hosts: readonly HostName[];
  /** Every group (in the order first seen) with its hosts in Group.get_hosts() order. */
  readonly groups: ReadonlyMap<string, readonly HostName[]>;
  /** The host a `localhost`/`127.0.0.1`/`::1` term means when nothing else matched it. */
  readonly localhost: (name: string) => HostName | undefined;
}

const PATTERN_WITH_SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;
const TERM = /(?:[^\s:[\]]|\[[^\]]*\])+/g;
const SPECIAL = ['.', '?', '*', '['];

export function selectHosts(pattern: string, index: PatternIndex): HostName[] {
  const terms = splitHostPattern(pattern);
  if (terms.length === 0) throw new ConfigError(`empty host pattern '${pattern}'`);
  const known = new Set<string>(index.hosts);
  const cache = new Map<string, HostName[]>();
  let hosts: HostName[] = [];
  for (const term of orderPatterns(terms)) {
    if (known.has(term)) {
      hosts.push(term as HostName);
      continue;
    }
    const bare = term.startsWith('!') || term.startsWith('&') ? term.slice(1) : term;
    let that = cache.get(bare);
    if (!that) {
      that = matchOne(bare, index);
      cache.set(bare, that);
    }
    if (term.startsWith('!')) {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (term.startsWith('&')) {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const existing = new Set(hosts);
      hosts.push(...that.filter((h) => !existing.has(h)));
    }
  }
  return [...new Set(hosts)];
}

/** split_host_pattern: ',' separates; otherwise ':' does, unless the pattern parses as one address. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true) !== undefined) parts = [pattern];
  else {
    parts = pattern.match(TERM) ?? [];
    // Deliberately stricter: Ansible drops what the split cannot place (an unclosed '['); say so instead.
    if (!/^[\s:]*$/.test(pattern.replace(TERM, ''))) throw new ConfigError(`malformed host pattern '${excerpt(pattern)}' (unbalanced [ ])`);
  }
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function orderPatterns(terms: readonly string[]): string[] {
  const regular = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const intersections = terms.filter((t) => t.startsWith('&'));
  const exclusions = terms.filter((t) => t.startsWith('!'));
  return [...(regular.length > 0 ? regular : ['all']), ...intersections, ...exclusions];
}

function matchOne(term: string, index: PatternIndex): HostName[] {
  if (term === '') throw new ConfigError(`malformed host pattern: a lone '&' or '!'`);
  const { expr, subscript } = splitSubscript(term);
  const { found, groupMatched } = enumerate(expr, index);
  if (found.length === 0 && !groupMatched && isPlainName(expr)) {
    const groups = [...index.groups.keys()].sort().join(', ');
    throw new ConfigError(`no host or group named '${excerpt(expr)}' in ${index.source} (groups: ${groups})`);
  }
  if (!subscript || found.length === 0) return found;
  const [start, end] = subscript;
  const at = (n: number): number => (n < 0 ? found.length + n : n);
  if (end === undefined || end === 0) {
    const one = found[at(start)];
    if (one === undefined) throw new ConfigError(`No hosts matched the subscripted pattern '${excerpt(term)}'`);
    return [one];
  }
  return found.slice(at(start), (end === -1 ? found.length - 1 : end) + 1);
}

/** Ansible's _split_subscript: `x[3]`, `x[1:3]`, `x[1:]` (a regex has none). */
function splitSubscript(term: string): { expr: string; subscript?: readonly [number, number | undefined] } {
  if (term.startsWith('~')) return { expr: term };
  const m = PATTERN_WITH_SUBSCRIPT.exec(term);
  if (!m) return { expr: term };
  const [, expr = '', idx, start, , end] = m;
  if (idx !== undefined) return { expr, subscript: [Number(idx), undefined] };
  return { expr, subscript: [Number(start), end ? Number(end) : -1] };
}

const isPlainName = (expr: string): boolean => !expr.startsWith('~') && !/[*?[]/.test(expr);

/** _enumerate_matches: hosts of matching groups, then matching hosts (if no group matched or it is a glob). */
function enumerate(expr: string, index: PatternIndex): { found: HostName[]; groupMatched: boolean } {
  const test = matcher(expr);
  const results: HostName[] = [];
  let groupMatched = false;
  for (const [group, members] of index.groups) {
    if (!test(group)) continue;
    groupMatched = true;
    results.push(...members);
  }
  if (!groupMatched || expr.startsWith('~') || SPECIAL.some((c) => expr.includes(c))) {
    for (const host of index.hosts) if (test(host)) results.push(host);
  }
  if (results.length === 0) {
    const local = index.localhost(expr);
    if (local !== undefined) results.push(local);
  }
  return { found: results, groupMatched };
}

function matcher(expr: string): (name: string) => boolean {
  if (!expr.startsWith('~')) {
    const glob = new RegExp(`^${fnmatchTranslate(expr)}$`, 's');
    return (name) => glob.test(name);
  }
  let regex: RegExp;
  try {
    regex = pythonRegex(expr.slice(1));
  } catch (e) {
    throw new ConfigError(`host pattern '${excerpt(expr)}' is not a valid regular expression: ${(e as Error).message}`);
  }
  return (name) => regex.test(name);
}

/** A Python `re` pattern used with re.match (anchored at the start) as a JS RegExp. */
function pythonRegex(source: string): RegExp {
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  let body = source;
  if (inline) {
    body = source.slice(inline[0].length);
    if (inline[1]?.includes('i')) flags += 'i';
    if (inline[1]?.includes('s')) flags += 's';
    if (inline[1]?.includes('m')) flags += 'm';
  }
  body = body.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$').replace(/\\A/g, '^');
  return new RegExp(`^(?:${body})`, flags);
}

/** Python's fnmatch.translate (3.11), without its anchors: * ? [seq] [!seq], a lone '[' literal. */
export function fnmatchTranslate(pat: string): string {
  let out = '';
  let i = 0;
  const n = pat.length;
  while (i < n) {
    const c = pat[i]!;
    i++;
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) {
        out += '\\[';
        continue;
      }
      let stuff = setBody(pat, i, j);
      stuff = stuff.replace(/([&~|])/g, '\\$1');
      i = j + 1;
      if (stuff === '') out += '(?!)';
      else if (stuff === '!') out += '.';
      else {
        if (stuff.startsWith('!')) stuff = `^${stuff.slice(1)}`;
        else if (stuff.startsWith('^') || stuff.startsWith('[')) stuff = `\\${stuff}`;
        out += `[${stuff}]`;
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return out;
}

/** The inside of a [...] set, ranges kept, empty ranges dropped, backslashes and other hyphens escaped. */
function setBody(pat: string, start: number, end: number): string {
  const stuff = pat.slice(start, end);
  if (!stuff.includes('-')) return stuff.replace(/\\/g, '\\\\');
  const chunks: string[] = [];
  let i = start;
  let k = pat[start] === '!' ? start + 2 : start + 1;
  for (;;) {
    k = pat.indexOf('-', k);
    if (k < 0 || k >= end) break;
    chunks.push(pat.slice(i, k));
    i = k + 1;
    k = k + 3;
  }
  const last = pat.slice(i, end);
  if (last) chunks.push(last);
  else chunks[chunks.length - 1] += '-';
  for (let m = chunks.length - 1; m > 0; m--) {
    const prev = chunks[m - 1]!;
    const cur = chunks[m]!;
    if (prev[prev.length - 1]! > cur[0]!) {
      chunks[m - 1] = prev.slice(0, -1) + cur.slice(1);
      chunks.splice(m, 1);
    }
  }
  return chunks.map((s) => s.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-');
}
