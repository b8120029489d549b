// YAML files of the inventory (hosts.yml, group_vars/, host_vars/, vault plaintext): parsed with line
// numbers, `!env NAME` references resolved from the environment (and marked secret), and mappings
// turned into variable layers that remember each key's file:line.
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

/** What `!env NAME` parses to, until resolved against the environment. */
class EnvReference {
  constructor(readonly name: string) {}
}

const envTag: ScalarTag = {
  tag: '!env',
  resolve: (name: string) => new EnvReference(name.trim()),
  identify: (value) => value instanceof EnvReference,
};

export interface YamlSource {
  readonly file: string;
  readonly doc: Document;
  /** "file:line" of a node (the file's first line when unknown). */
  origin(node: unknown): string;
  /** The node as plain data; aliases resolved. */
  data(node: unknown): unknown;
}

export interface YamlReadOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Receives every value read from the environment. */
  readonly secrets: Set<string>;
  /** False only to check syntax (vault create/edit): `!env` values are then left unread. */
  readonly resolveEnv?: boolean;
}

export function parseYaml(text: string, file: string, opts: YamlReadOptions): YamlSource {
  const lines = new LineCounter();
  // YAML 1.1, as Ansible's PyYAML: yes/no are booleans, << merges.
  const doc = parseDocument(text, { customTags: [envTag], lineCounter: lines, version: '1.1', uniqueKeys: true });
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
  if (opts.resolveEnv !== false) resolveEnvReferences(doc, origin, opts);
  const data = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    try {
      return (node as Node).toJS(doc);
    } catch (e) {
      throw new ConfigError(`${origin(node)}: ${(e as Error).message}`);
    }
  };
  return { file, doc, origin, data };
}

function resolveEnvReferences(doc: Document, origin: (node: unknown) => string, opts: YamlReadOptions): void {
  visit(doc, {
    Scalar(_key, node, path) {
      if (!(node.value instanceof EnvReference)) return;
      const { name } = node.value;
      const owner = [...path].reverse().find(isPair);
      const variable = owner && isScalar(owner.key) ? String(owner.key.value) : 'value';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new ConfigError(`${origin(node)}: ${variable}: '!env ${name}' needs an environment variable name`);
      }
      const value = opts.env[name];
      if (value === undefined) {
        throw new ConfigError(`${origin(node)}: ${variable}: environment variable ${name} is not set (!env ${name})`);
      }
      if (value !== '') opts.secrets.add(value);
      node.value = value;
    },
  });
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
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key;
  }
  return undefined;
}
