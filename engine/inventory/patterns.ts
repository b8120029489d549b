// Ansible host patterns: names, groups, globs, ~regex, group[i] / group[i:j] subscripts,
// `a:b` / `a,b` union, `&a` intersection, `!a` exclusion (unions first, then &, then !).
import { minimatch } from 'minimatch';
import { ConfigError } from '../errors';
import type { HostName } from '../types';

export interface PatternIndex {
  readonly source: string;
  /** Every host, in inventory order. */
  readonly hosts: readonly HostName[];
  readonly groups: ReadonlyMap<string, readonly HostName[]>;
}

export function selectHosts(pattern: string, index: PatternIndex): HostName[] {
  const terms = splitPattern(pattern, index);
  if (terms.length === 0) throw new ConfigError(`empty host pattern '${pattern}'`);
  const unions = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  const intersections = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const exclusions = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  const chosen = new Set<HostName>();
  for (const term of unions.length > 0 ? unions : ['all']) for (const h of matchTerm(term, index)) chosen.add(h);
  for (const term of intersections) {
    const keep = new Set(matchTerm(term, index));
    for (const h of [...chosen]) if (!keep.has(h)) chosen.delete(h);
  }
  for (const term of exclusions) for (const h of matchTerm(term, index)) chosen.delete(h);
  return index.hosts.filter((h) => chosen.has(h));
}

/** Commas always separate; colons separate unless inside [..] or the whole piece is a host name (IPv6). */
function splitPattern(pattern: string, index: PatternIndex): string[] {
  const known = new Set<string>(index.hosts);
  const terms: string[] = [];
  for (const piece of pattern.split(',').map((p) => p.trim())) {
    if (piece === '') continue;
    if (known.has(piece.replace(/^[!&]/, ''))) {
      terms.push(piece);
      continue;
    }
    const term = /(?:[^\s:[\]]|\[[^\]]*\])+/g;
    const found = piece.match(term) ?? [];
    if (!/^[\s:]*$/.test(piece.replace(term, ''))) throw new ConfigError(`malformed host pattern '${piece}' (unbalanced [ ])`);
    terms.push(...found);
  }
  return terms.map((t) => t.trim()).filter((t) => t !== '' && t !== '!' && t !== '&');
}

const GLOB = /[*?[]/;
const SUBSCRIPT = /^(.+)\[(-?\d+)(?::(-?\d*))?\]$/;

function matchTerm(term: string, index: PatternIndex): HostName[] {
  if (term === 'all' || term === '*') return [...index.hosts];
  const isHost = index.hosts.includes(term as HostName);
  if (index.groups.has(term) || isHost) {
    const hits = new Set<HostName>(index.groups.get(term) ?? []);
    if (isHost) hits.add(term as HostName);
    return [...hits];
  }

  if (term.startsWith('~')) return matchNames((name) => regexOf(term.slice(1)).test(name), index);
  const subscript = SUBSCRIPT.exec(term);
  const base = subscript?.[1];
  if (subscript && base !== undefined && index.groups.has(base)) {
    return sliceGroup(index.groups.get(base) ?? [], subscript[2] ?? '0', subscript[3]);
  }
  if (GLOB.test(term)) return matchNames((name) => minimatch(name, term), index);

  const groups = [...index.groups.keys()].sort().join(', ');
  throw new ConfigError(`no host or group named '${term}' in ${index.source} (groups: ${groups})`);
}

function matchNames(test: (name: string) => boolean, index: PatternIndex): HostName[] {
  const hits = new Set<HostName>();
  for (const [group, members] of index.groups) if (test(group)) members.forEach((h) => hits.add(h));
  for (const host of index.hosts) if (test(host)) hits.add(host);
  return [...hits];
}

function regexOf(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})`);
  } catch (e) {
    throw new ConfigError(`host pattern '~${source}' is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** `g[0]` is one host, `g[1:3]` is hosts 1..3 inclusive (Ansible), negative indexes count from the end. */
function sliceGroup(members: readonly HostName[], startText: string, endText: string | undefined): HostName[] {
  const at = (n: number): number => (n < 0 ? members.length + n : n);
  const start = at(Number(startText));
  if (endText === undefined) return members[start] !== undefined ? [members[start]] : [];
  const end = endText === '' ? members.length - 1 : at(Number(endText));
  return members.slice(start, end + 1);
}
