// Ansible YAML inventories: groups (usually under `all:`) with `hosts`, `vars` and `children`, to any depth.
import { isMap, isScalar, type Pair } from 'yaml';
import { ConfigError } from '../errors';
import type { InventoryDraft } from './draft';
import { expandHostRange } from './host-range';
import { describeNode, parseYaml, varsFromMapping, type YamlReadOptions, type YamlSource } from './yaml-source';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

export function parseYamlInventory(text: string, file: string, draft: InventoryDraft, opts: YamlReadOptions): void {
  const src = parseYaml(text, file, opts);
  const root = src.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return;
  if (!isMap(root)) {
    throw new ConfigError(`${src.origin(root)}: a YAML inventory is a mapping of groups (all: ...), got ${describeNode(root)}`);
  }
  for (const pair of root.items) readGroup(nameOf(pair, src, 'group'), pair, src, draft);
}

function nameOf(pair: Pair, src: YamlSource, what: string): string {
  const key = pair.key;
  if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
    throw new ConfigError(`${src.origin(key)}: a ${what} name must be a plain string`);
  }
  return String(key.value);
}

function readGroup(name: string, pair: Pair, src: YamlSource, draft: InventoryDraft): void {
  const origin = src.origin(pair.key);
  draft.group(name, origin);
  const body = pair.value;
  if (body === null || body === undefined || (isScalar(body) && body.value === null)) return;
  if (!isMap(body)) {
    throw new ConfigError(`${src.origin(body)}: group '${name}' must be a mapping of hosts, vars and children, got ${describeNode(body)}`);
  }
  for (const entry of body.items) {
    const key = nameOf(entry, src, 'key');
    if (!GROUP_KEYS.includes(key)) {
      throw new ConfigError(`${src.origin(entry.key)}: unknown key '${key}' in group '${name}' (expected hosts, vars or children)`);
    }
    if (key === 'vars') draft.addGroupVars(name, src.origin(entry.key), varsFromMapping(entry.value, src, `vars of group '${name}'`));
    else if (key === 'hosts') readHosts(name, entry, src, draft);
    else readChildren(name, entry, src, draft);
  }
}

function readHosts(group: string, entry: Pair, src: YamlSource, draft: InventoryDraft): void {
  for (const pair of mappingItems(entry, src, `hosts of group '${group}'`)) {
    const pattern = nameOf(pair, src, 'host');
    const origin = src.origin(pair.key);
    const vars = varsFromMapping(pair.value, src, `vars of host '${pattern}'`);
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (e) {
      throw new ConfigError(`${origin}: host '${pattern}': ${(e as Error).message}`);
    }
    for (const name of names) draft.addHost(name, origin, new Map(vars), group);
  }
}

function readChildren(parent: string, entry: Pair, src: YamlSource, draft: InventoryDraft): void {
  for (const pair of mappingItems(entry, src, `children of group '${parent}'`)) {
    const child = nameOf(pair, src, 'group');
    draft.addChild(parent, child, src.origin(pair.key));
    readGroup(child, pair, src, draft);
  }
}

/** The pairs of `hosts:` / `children:`; empty when the value is null. */
function mappingItems(entry: Pair, src: YamlSource, what: string): Pair[] {
  const value = entry.value;
  if (value === null || value === undefined || (isScalar(value) && value.value === null)) return [];
  if (!isMap(value)) throw new ConfigError(`${src.origin(value)}: ${what} must be a mapping, got ${describeNode(value)}`);
  return value.items as Pair[];
}
