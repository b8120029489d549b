// -e/--extra-vars as ansible-playbook reads them, in order, later ones replacing earlier keys: `@FILE` (YAML or
// JSON, vault-encrypted or not), `{...}` / `[...]` (YAML or JSON text, must be a mapping), or `key=value ...`
// (split as Ansible's split_args does; quotes removed, escapes decoded; every value a string).
// Deliberately stricter: a word without `=` is an error (Ansible stores it as the variable `_raw_params`).
import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors';
import { excerpt } from './inventory/excerpt';
import { decodeText } from './inventory/text-file';
import { parseYaml } from './inventory/yaml-source';
import type { Vars } from './inventory/types';
import { isVaultText } from './vault/crypto';
import type { VaultKeyring } from './vault/keyring';

export async function parseExtraVars(items: readonly string[], keyring?: VaultKeyring): Promise<Vars> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item === '') continue;
    let data: unknown;
    if (item.startsWith('@')) {
      data = await fromFile(item.slice(1), item, keyring);
    } else if (item.startsWith('/') || item.startsWith('.')) {
      throw new ConfigError(`-e '${excerpt(item)}': a file of extra vars is given as @${excerpt(item)}`);
    } else if (item.startsWith('{') || item.startsWith('[')) {
      const src = parseYaml(item, `-e '${excerpt(item)}'`);
      data = src.data(src.doc.contents);
    } else {
      data = parseKv(item);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ConfigError(`-e '${excerpt(item)}': extra vars must be a mapping of variables`);
    }
    Object.assign(out, data);
  }
  return out;
}

async function fromFile(file: string, item: string, keyring: VaultKeyring | undefined): Promise<unknown> {
  let text: string;
  try {
    text = decodeText(await readFile(file), file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`-e ${excerpt(item)}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (isVaultText(text)) {
    if (!keyring) throw new ConfigError(`-e ${excerpt(item)}: ${file} is vault-encrypted and no vault secret was given`);
    text = await keyring.decrypt(text, file);
  }
  const src = parseYaml(text, file);
  return src.data(src.doc.contents) ?? {};
}

/** Ansible's parse_kv over split_args: key=value words, a value's surrounding quotes removed. */
export function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of splitArgs(text)) {
    const decoded = decodeEscapes(word);
    let pos = -1;
    for (let i = 1; i < decoded.length; i++) {
      if (decoded[i] === '=' && decoded[i - 1] !== '\\') {
        pos = i;
        break;
      }
    }
    if (pos < 0) throw new ConfigError(`-e '${excerpt(word)}': expected key=value, a YAML/JSON mapping or @file`);
    out[decoded.slice(0, pos).trim()] = unquote(decoded.slice(pos + 1).trim());
  }
  return out;
}

const unquote = (s: string): string =>
  s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\' ? s.slice(1, -1) : s;

const ESCAPE = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(s: string): string {
  return s.replace(ESCAPE, (m) => (m.length === 2 ? SIMPLE[m[1]!]! : String.fromCodePoint(parseInt(m.slice(2), 16))));
}

/** Ansible's split_args: whitespace splits except inside quotes and {{ }} / {% %} / {# #} blocks. */
export function splitArgs(args: string): string[] {
  const params: string[] = [];
  const items = args.split('\n');
  let quote: string | undefined;
  let depth = { print: 0, block: 0, comment: 0 };
  const inBlock = (): boolean => depth.print > 0 || depth.block > 0 || depth.comment > 0;
  items.forEach((item, itemIndex) => {
    const tokens = item.split(' ');
    let continuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && quote === undefined) {
        continuation = true;
        return;
      }
      const wasQuoted = quote !== undefined;
      quote = quoteState(token, quote);
      const quoted = quote !== undefined;
      let appended = false;
      if (quoted && !wasQuoted && !inBlock()) {
        params.push(token);
        appended = true;
      } else if (inBlock() || quoted || wasQuoted) {
        if (idx === 0 && wasQuoted) params[params.length - 1] += token;
        else if (tokens.length > 1) params[params.length - 1] += `${idx > 0 ? ' ' : ''}${token}`;
        else params[params.length - 1] += `\n${token}`;
        appended = true;
      }
      for (const [kind, open, close] of [['print', '{{', '}}'], ['block', '{%', '%}'], ['comment', '{#', '#}']] as const) {
        const before = depth[kind];
        const after = countBlocks(token, before, open, close);
        depth = { ...depth, [kind]: after };
        if (after !== before && !appended) {
          params.push(token);
          appended = true;
        }
      }
      if (!inBlock() && quote === undefined && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIndex !== items.length - 1 && !continuation && params.length > 0) params[params.length - 1] += '\n';
  });
  if (inBlock() || quote !== undefined) {
    throw new ConfigError(`-e '${excerpt(args)}': unbalanced quotes or {{ }} blocks`);
  }
  return params;
}

function quoteState(token: string, current: string | undefined): string | undefined {
  let quote = current;
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (quote === undefined) quote = c;
      else if (c === quote) quote = undefined;
    }
  }
  return quote;
}

function countBlocks(token: string, depth: number, open: string, close: string): number {
  const opens = token.split(open).length - 1;
  const closes = token.split(close).length - 1;
  return opens === closes ? depth : Math.max(0, depth + opens - closes);
}
