// group_vars/ and host_vars/ beside the inventory, as Ansible reads them: NAME.yml|yaml|json (or no
// extension), or a directory NAME/ of such files merged in name order. Vault files are decrypted here.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConfigError } from '../errors';
import { decryptVault, isVaultText } from '../vault/crypto';
import { VAULT_PASSWORD_HINT } from '../vault/password';
import type { InventoryDraft, VarLayer } from './draft';
import { parseYaml, varsFromMapping } from './yaml-source';

const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export interface VarsFilesOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly vaultPassword?: string;
}

export async function loadVarsDirs(baseDir: string, draft: InventoryDraft, opts: VarsFilesOptions): Promise<void> {
  for (const kind of ['group', 'host'] as const) {
    const dir = join(baseDir, `${kind}_vars`);
    if (!(await isDirectory(dir))) continue;
    for (const entry of (await readdir(dir)).sort()) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      const isDir = await isDirectory(path);
      const files = isDir ? await varsFilesUnder(path) : isVarsFile(entry) ? [path] : [];
      const name = isDir ? entry : basename(entry, extname(entry));
      for (const file of files) draft.addFileVars(kind, name, await readVarsFile(file, draft.secrets, opts));
    }
  }
}

/** One vars file as a layer; a vault file's string values all become secrets. */
export async function readVarsFile(file: string, secrets: Set<string>, opts: VarsFilesOptions): Promise<VarLayer> {
  let text = await readFile(file, 'utf8');
  const vaulted = isVaultText(text);
  if (vaulted) {
    if (opts.vaultPassword === undefined) throw new ConfigError(`${file} is vault-encrypted: ${VAULT_PASSWORD_HINT}`);
    text = await decryptVault(text, opts.vaultPassword, file);
  }
  const src = parseYaml(text, file, { env: opts.env, secrets });
  const layer = varsFromMapping(src.doc.contents, src, 'a vars file');
  if (vaulted) for (const { value } of layer.values()) collectStrings(value, secrets);
  return layer;
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value !== '') into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}

function isVarsFile(name: string): boolean {
  return !name.startsWith('.') && VARS_EXTENSIONS.includes(extname(name));
}

async function varsFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    const path = join(dir, entry);
    if (entry.startsWith('.')) continue;
    if (await isDirectory(path)) found.push(...(await varsFilesUnder(path)));
    else if (isVarsFile(entry)) found.push(path);
  }
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
