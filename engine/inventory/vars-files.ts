// group_vars/ and host_vars/ beside the inventory, as Ansible reads them: NAME.yml|yaml|json (or no
// extension), or a directory NAME/ of such files merged in name order. Vault files are decrypted here.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConfigError } from '../errors';
import { decryptVault, isVaultText } from '../vault/crypto';
import { VAULT_PASSWORD_HINT } from '../vault/password';
import YAML from 'yaml';
import { Redactor } from '../runner/redact';
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
      for (const file of files) {
        const layer = await readVarsFile(file, draft.secrets, opts);
        // Its checks quote values (e.g. a bad ansible_host): a value from a vault must not show in the message.
        hidingSecrets(draft.secrets, () => draft.addFileVars(kind, name, layer));
      }
    }
  }
}

/** One vars file as a layer; a vault file's string values all become secrets. */
export async function readVarsFile(file: string, secrets: Set<string>, opts: VarsFilesOptions): Promise<VarLayer> {
  let text = await readFile(file, 'utf8');
  const vaulted = isVaultText(text);
  if (!vaulted) {
    const src = parseYaml(text, file, { env: opts.env, secrets });
    return varsFromMapping(src.doc.contents, src, 'a vars file');
  }
  if (opts.vaultPassword === undefined) throw new ConfigError(`${file} is vault-encrypted: ${VAULT_PASSWORD_HINT}`);
  text = await decryptVault(text, opts.vaultPassword, file);
  // Every string in the plaintext is a secret from now on, also when the file turns out malformed: the
  // messages below quote values (e.g. "got the scalar '...'" for a vault holding a bare password).
  collectStrings(lenientParse(text), secrets);
  return hidingSecrets(secrets, () => {
    const src = parseYaml(text, file, { env: opts.env, secrets });
    const layer = varsFromMapping(src.doc.contents, src, 'a vars file');
    for (const { value } of layer.values()) collectStrings(value, secrets);
    return layer;
  });
}

/** The plaintext's values as far as YAML can read them (`!env NAME` names no secret: skipped); undefined when unreadable. */
function lenientParse(text: string): unknown {
  try {
    return YAML.parse(text, { customTags: [{ tag: '!env', resolve: () => null }], logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

/** Run `work`; a ConfigError it throws is rethrown with every secret known by then masked. */
function hidingSecrets<T>(secrets: ReadonlySet<string>, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const r = new Redactor();
    secrets.forEach((v) => r.add(v));
    const message = r.redact(e.message);
    throw message === e.message ? e : new ConfigError(message);
  }
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
