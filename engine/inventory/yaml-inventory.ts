// Ansible YAML inventories, read as ansible-core's yaml plugin reads them: top-level keys are groups (usually
// `all:`), each with `hosts`, `vars` and `children` in the order written; a host key may carry a port
// (`name:2200`) and ranges; `hosts: name` (a string) is one host. Deliberately stricter: an unknown key, a
// group or section that is neither a mapping nor empty, stop with an error (Ansible warns and skips them).
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import { ConfigError } from '../errors';
import type { InventoryDraft } from './draft';
import { excerpt } from './excerpt';
import { hostPattern } from './ini';
import { describeNode, varsFromMapping, type YamlSource } from './yaml-source';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

/**
 * Why Ansible's yaml plugin would refuse this document (it then tries the file as INI), or undefined when
 * it reads it as a YAML inventory.
 */
export function yamlInventoryRefusal(src: YamlSource): string | undefined {
  const root = src.doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return 'it is empty';
  if (!isMap(root)) return `a YAML inventory is a mapping of groups (all: ...), got ${describeNode(root)}`;
  const plugin = root.items.find((p) => isScalar(p.key) && p.key.value === 'plugin');
  if (plugin && isScalar(plugin.value) && plugin.value.value) return `'plugin: ${String(plugin.value.value)}' makes it an inventory plugin config`;
  return undefined;
}

export function parseYamlInventory(src: YamlSource, draft: InventoryDraft): void {
  const root = src.doc.contents;
  if (!isMap(root)) throw new ConfigError(`${src.origin(root)}: ${yamlInventoryRefusal(src) ?? 'not a YAML inventory'}`);
  for (const pair of root.items) readGroup(nameOf(pair, src, 'group'), pair, src, draft);
}

function nameOf(pair: Pair, src: YamlSource, what: string): string {
  const key = pair.key;
  if (!isScalar(key) || typeof key.value !== 'string') {
    const shown = isScalar(key) ? ` (got ${excerpt(String(key.value))}; quote it)` : '';
    throw new ConfigError(`${src.origin(key)}: a ${what} name must be a string${shown}`);
  }
  return key.value;
}

const isFalsy = (node: unknown): boolean =>
  (isScalar(node) && (node.value === 0 || node.value === false || node.value === '')) || (isSeq(node) && node.items.length === 0);
const isEmpty = (node: unknown): boolean => node === null || node === undefined || (isScalar(node) && node.value === null);

function readGroup(name: string, pair: Pair, src: YamlSource, draft: InventoryDraft): string {
  const origin = src.origin(pair.key);
  draft.group(name, origin);
  const body = pair.value;
  if (isEmpty(body)) return name;
  if (!isMap(body)) {
    throw new ConfigError(`${src.origin(body)}: group '${name}' must be a mapping of hosts, vars and children, got ${describeNode(body)}`);
  }
  for (const entry of body.items) {
    const key = nameOf(entry, src, 'key');
    if (!GROUP_KEYS.includes(key)) {
      throw new ConfigError(`${src.origin(entry.key)}: unknown key '${excerpt(key)}' in group '${name}' (expected hosts, vars or children)`);
    }
    if (key === 'vars') draft.addGroupVars(name, src.origin(entry.key), sectionVars(entry, src, name));
    else if (key === 'hosts') readHosts(name, entry, src, draft);
    else readChildren(name, entry, src, draft);
  }
  return name;
}

/** `vars: name` (a string) is the variable `name` set to null, as Ansible reads it. */
function sectionVars(entry: Pair, src: YamlSource, group: string) {
  const value = entry.value;
  if (isScalar(value) && typeof value.value === 'string') return new Map([[value.value, { value: null, origin: src.origin(value) }]]);
  if (!isEmpty(value) && !isMap(value)) {
    throw new ConfigError(`${src.origin(value)}: vars of group '${group}' must be a mapping, got ${describeNode(value)}`);
  }
  return varsFromMapping(value, src, `vars of group '${group}'`);
}

function readHosts(group: string, entry: Pair, src: YamlSource, draft: InventoryDraft): void {
  for (const pair of sectionItems(entry, src, `hosts of group '${group}'`)) {
    const word = nameOf(pair, src, 'host');
    const origin = src.origin(pair.key);
    // `host: 0`, `host: ''` or `host: []` mean no variables to Ansible (`data or {}`).
    const vars = isFalsy(pair.value) ? new Map() : varsFromMapping(pair.value, src, `vars of host '${excerpt(word)}'`);
    const { names, port } = hostPattern(word, (why) => {
      throw new ConfigError(`${origin}: ${why}`);
    }, false);
    for (const name of names) draft.addHost(name, origin, new Map(vars), group, port);
  }
}

function readChildren(parent: string, entry: Pair, src: YamlSource, draft: InventoryDraft): void {
  for (const pair of sectionItems(entry, src, `children of group '${parent}'`)) {
    const child = readGroup(nameOf(pair, src, 'group'), pair, src, draft);
    draft.addChild(parent, child, src.origin(pair.key));
  }
}

/** The pairs of `hosts:` / `children:`: empty when null, one name when a string. */
function sectionItems(entry: Pair, src: YamlSource, what: string): Pair[] {
  const value = entry.value;
  if (isEmpty(value)) return [];
  if (isScalar(value) && typeof value.value === 'string') return [{ key: value, value: null } as unknown as Pair];
  if (!isMap(value)) throw new ConfigError(`${src.origin(value)}: ${what} must be a mapping, got ${describeNode(value)}`);
  return value.items as Pair[];
}
