// YAML (and JSON) files of the inventory (hosts.yml, group_vars/, host_vars/, vault plaintext), read as
// Ansible's loader reads them: valid JSON as JSON, everything else as YAML 1.1 with PyYAML's scalar rules
// (yaml-schema.ts), `!vault` inline values, `!unsafe` strings, and this engine's `!env NAME`. Mappings become
// variable layers that remember each key's file:line. Deliberately stricter: a duplicate key is an error
// (Ansible warns and keeps the last).
import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Node,
  type ScalarTag,
  type YAMLMap,
} from 'yaml';
import { ConfigError } from '../errors';
import type { VarLayer } from './draft';
import { pythonFloatRepr } from './python-literal';
import { EnvReference, InlineVault } from './secret-values';
import { pyyamlTags } from './yaml-schema';

/** What `!env NAME` / `!vault |` parse to, until placed (variable name, file:line) after the parse. */
class Pending {
  constructor(
    readonly kind: 'env' | 'vault',
    readonly text: string,
  ) {}
}

const envTag: ScalarTag = {
  tag: '!env',
  resolve: (name: string) => new Pending('env', name.trim()),
  identify: (value) => value instanceof Pending && value.kind === 'env',
};
const vaultTag = (tag: string): ScalarTag => ({
  tag,
  resolve: (text: string) => new Pending('vault', text),
  identify: (value) => value instanceof Pending && value.kind === 'vault',
});
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (text: string) => text };
const EXTRA_TAGS = [envTag, vaultTag('!vault'), vaultTag('!vault-encrypted'), unsafeTag];

export interface YamlSource {
  readonly file: string;
  readonly doc: Document;
  /** "file:line" of a node (the file's first line when unknown). */
  origin(node: unknown): string;
  /** The node as plain data: aliases and merge keys resolved, mapping keys as JSON writes them. */
  data(node: unknown): unknown;
}

export interface YamlReadOptions {
  /** False only to check syntax (vault create/edit): `!env` names are then not checked. */
  readonly checkEnvNames?: boolean;
}

export function parseYaml(text: string, file: string, opts: YamlReadOptions = {}): YamlSource {
  const lines = new LineCounter();
  const json = isJson(text);
  const doc = json
    ? parseDocument(text, { schema: 'json', lineCounter: lines, uniqueKeys: true })
    : parseDocument(text, { version: '1.1', customTags: pyyamlTags(EXTRA_TAGS), lineCounter: lines, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const line = problem.linePos?.[0].line ?? lines.linePos(problem.pos[0]).line;
    const message = problem.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
    throw new ConfigError(`${file}:${line}: ${message}`);
  }
  const origin = (node: unknown): string => {
    const range = (node as Partial<Node> | null)?.range;
    return `${file}:${range ? lines.linePos(range[0]).line : 1}`;
  };
  placeReferences(doc, origin, opts.checkEnvNames !== false);
  const data = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    let value: unknown;
    try {
      value = (node as Node).toJS(doc, { mapAsMap: true, maxAliasCount: 1000 });
    } catch (e) {
      throw new ConfigError(`${origin(node)}: ${(e as Error).message}`);
    }
    return plain(value, json, origin(node));
  };
  return { file, doc, origin, data };
}

function isJson(text: string): boolean {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[' && start !== '"') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Turn each Pending into an EnvReference / InlineVault that knows its variable and file:line. */
function placeReferences(doc: Document, origin: (node: unknown) => string, checkEnvNames: boolean): void {
  visit(doc, {
    Scalar(_key, node, path) {
      if (!(node.value instanceof Pending)) return;
      const owner = [...path].reverse().find(isPair);
      const variable = owner && isScalar(owner.key) ? String(owner.key.value) : 'value';
      const { kind, text } = node.value;
      if (kind === 'env') {
        if (checkEnvNames && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) {
          throw new ConfigError(`${origin(node)}: ${variable}: '!env ${text}' needs an environment variable name`);
        }
        node.value = new EnvReference(text, variable, origin(node));
      } else {
        node.value = new InlineVault(text, variable, origin(node));
      }
    },
  });
}

/** Maps (from mapAsMap) to objects with keys as json.dumps writes them; `{"__ansible_vault": ...}` in JSON. */
function plain(value: unknown, json: boolean, where: string): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    const same = new Map<string, unknown>();
    for (const [key, item] of value) {
      // Python's dict: yes and 1 (True == 1), no and 0, 1.0 and 1 are one key; Ansible keeps the last value.
      const identity = typeof key === 'boolean' ? `n:${Number(key)}` : typeof key === 'number' ? `n:${key}` : `${typeof key}:${String(key)}`;
      if (same.has(identity)) {
        throw new ConfigError(`${where}: the mapping keys ${JSON.stringify(same.get(identity))} and ${JSON.stringify(key)} are the same key to Ansible (Python's True == 1): keep one`);
      }
      same.set(identity, key);
      out[jsonKey(key, where)] = plain(item, json, where);
    }
    const keys = Object.keys(out);
    if (json && keys.length === 1 && keys[0] === '__ansible_vault' && typeof out.__ansible_vault === 'string') {
      return new InlineVault(out.__ansible_vault, '__ansible_vault', where);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, json, where));
  if (value instanceof Set) throw new ConfigError(`${where}: a YAML !!set has no JSON form (Ansible cannot print it either): use a list`);
  if (value instanceof Uint8Array) throw new ConfigError(`${where}: !!binary values are not supported`);
  return value;
}

function jsonKey(key: unknown, where: string): string {
  if (typeof key === 'string') return key;
  if (key === null || key === undefined) return 'null';
  if (typeof key === 'boolean') return String(key);
  if (typeof key === 'number') return Number.isInteger(key) && Math.abs(key) < 1e16 ? String(key) : pythonFloatRepr(key);
  throw new ConfigError(`${where}: a mapping key must be a string, number, boolean or null`);
}

export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'nothing' : `the scalar '${String(node.value)}'`;
  return 'nothing';
}

/** A mapping's keys as variables (merge keys applied); null/empty is no variables. */
export function varsFromMapping(node: unknown, src: YamlSource, what: string): VarLayer {
  const layer: VarLayer = new Map();
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return layer;
  if (!isMap(node)) {
    throw new ConfigError(`${src.origin(node)}: ${what} must be a mapping of variables, got ${describeNode(node)}`);
  }
  const values = src.data(node);
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError(`${src.origin(node)}: ${what} must be a mapping of variables`);
  }
  for (const [key, value] of Object.entries(values)) {
    layer.set(key, { value, origin: src.origin(keyNode(node, key) ?? node) });
  }
  return layer;
}

/** The key node for `key` written directly in the mapping (not merged in). */
export function keyNode(map: YAMLMap, key: string): Node | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && jsonKeyOrUndefined(pair.key.value) === key) return pair.key;
  }
  return undefined;
}

function jsonKeyOrUndefined(value: unknown): string | undefined {
  try {
    return jsonKey(value, '');
  } catch {
    return undefined;
  }
}
