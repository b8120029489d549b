// Ansible INI inventories: [group] host lines, [group:vars], [group:children], # and ; comments.
import { ConfigError } from '../errors';
import type { InventoryDraft, VarLayer } from './draft';
import { expandHostRange } from './host-range';
import { splitWords, typeIniValue } from './ini-values';

type SectionKind = 'hosts' | 'vars' | 'children';

const HEADER = /^\[([^\]]*)\]\s*(?:[#;].*)?$/;
const HEADER_NAME = /^([^:\s]+)(?::(\w+))?$/;

export function parseIniInventory(text: string, file: string, draft: InventoryDraft): void {
  let group = 'ungrouped';
  let kind: SectionKind = 'hosts';
  // Groups given a [g] or [g:children] section: only those may be named as children or get [g:vars].
  const defined = new Set<string>(['all', 'ungrouped']);
  const pending: { name: string; origin: string; message: string }[] = [];

  text.split(/\r?\n/).forEach((raw, i) => {
    const origin = `${file}:${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const fail = (why: string): never => {
      throw new ConfigError(`${origin}: ${why}`);
    };

    if (line.startsWith('[')) {
      const header = HEADER.exec(line);
      const name = header ? HEADER_NAME.exec(header[1]?.trim() ?? '') : null;
      if (!name?.[1]) return fail(`malformed section header '${line}'`);
      const suffix = name[2];
      if (suffix !== undefined && suffix !== 'vars' && suffix !== 'children') {
        return fail(`unknown section kind ':${suffix}' in '${line}' (use :vars or :children)`);
      }
      group = name[1];
      kind = suffix ?? 'hosts';
      draft.group(group, origin);
      if (kind === 'vars') pending.push({ name: group, origin, message: `[${group}:vars] is for undefined group '${group}'` });
      else defined.add(group);
      return;
    }

    let words: string[];
    try {
      words = splitWords(line);
    } catch (e) {
      return fail(`malformed line '${line}': ${(e as Error).message}`);
    }
    if (words.length === 0) return;

    if (kind === 'children') {
      if (words.length !== 1) return fail(`[${group}:children] takes one group name per line, got '${line}'`);
      const child = words[0] ?? '';
      draft.addChild(group, child, origin);
      pending.push({ name: child, origin, message: `[${group}:children] includes undefined group '${child}'` });
    } else if (kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) return fail(`expected key=value in [${group}:vars], got '${line}'`);
      const key = line.slice(0, eq).trim();
      let valueWords: string[];
      try {
        valueWords = splitWords(line.slice(eq + 1).trim());
      } catch (e) {
        return fail(`malformed value in '${line}': ${(e as Error).message}`);
      }
      draft.addGroupVars(group, origin, new Map([[key, { value: typeIniValue(valueWords.join(' ')), origin }]]));
    } else {
      hostLine(words, line, origin, group, draft, fail);
    }
  });

  for (const { name, origin, message } of pending) {
    if (!defined.has(name)) throw new ConfigError(`${origin}: ${message}`);
  }
}

function hostLine(
  words: readonly string[],
  line: string,
  origin: string,
  group: string,
  draft: InventoryDraft,
  fail: (why: string) => never,
): void {
  const [first = '', ...assignments] = words;
  const vars: VarLayer = new Map();
  let pattern = first;
  // `name:port`, but not IPv6 (several colons) nor a colon inside a [a:b] range.
  const lastColon = first.lastIndexOf(':');
  if (first.replace(/\[[^\]]*\]/g, '').split(':').length === 2 && /^[0-9]+$/.test(first.slice(lastColon + 1))) {
    pattern = first.slice(0, lastColon);
    vars.set('ansible_port', { value: Number(first.slice(lastColon + 1)), origin });
  }
  for (const word of assignments) {
    const eq = word.indexOf('=');
    if (eq <= 0) fail(`malformed host line '${line}': expected key=value after the host name, got '${word}'`);
    vars.set(word.slice(0, eq), { value: typeIniValue(word.slice(eq + 1)), origin });
  }
  let names: string[];
  try {
    names = expandHostRange(pattern);
  } catch (e) {
    return fail(`malformed host line '${line}': ${(e as Error).message}`);
  }
  for (const name of names) draft.addHost(name, origin, new Map(vars), group);
}
