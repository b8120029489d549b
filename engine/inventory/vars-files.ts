// group_vars/ and host_vars/ beside each inventory source, as Ansible's host_group_vars plugin finds them: for
// each group and host NAME the first that exists of NAME (a file, or a directory of files merged in name order,
// recursing into subdirectories without an extension, skipping hidden files, `~` backups and extensions other
// than .yml .yaml .json), NAME.yml, NAME.yaml, NAME.json. Empty files add nothing. Vault files are decrypted here.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../errors';
import { isVaultText } from '../vault/crypto';
import type { VaultKeyring } from '../vault/keyring';
import { IMPLICIT_HOSTS, type InventoryDraft, type VarLayer } from './draft';
import { hidingSecrets } from './secret-values';
import { decodeText } from './text-file';
import { parseYaml, varsFromMapping } from './yaml-source';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export interface VarsFilesOptions {
  readonly keyring?: VaultKeyring;
  /** Leave vault-encrypted files unread (listing runs need no secret). */
  readonly defer?: boolean;
}

/** The vars files of every group and host of the draft under `baseDir`, as layers of source `sourceIndex`. */
export async function loadVarsDirs(baseDir: string, sourceIndex: number, draft: InventoryDraft, opts: VarsFilesOptions): Promise<void> {
  const implicit = IMPLICIT_HOSTS.filter((name) => !draft.hosts.has(name));
  const kinds = [
    ['group', [...draft.groups.keys()]],
    ['host', [...draft.hosts.keys(), ...implicit]],
  ] as const;
  for (const [kind, names] of kinds) {
    const dir = join(baseDir, `${kind}_vars`);
    const listing = await listDirectory(dir);
    if (!listing) continue;
    for (const name of names) {
      if (name.startsWith('/')) continue;
      for (const file of await findVarsFiles(dir, name, listing)) {
        const layer = await readVarsFile(file, draft.secrets, opts);
        // Its checks quote values: a value from a vault must not show in the message.
        hidingSecrets(draft.secrets, () => draft.addFileVars(kind, name, sourceIndex, layer));
      }
    }
  }
}

async function findVarsFiles(dir: string, name: string, listing: ReadonlySet<string>): Promise<string[]> {
  for (const ext of EXTENSIONS) {
    if (!listing.has(name + ext)) continue;
    const path = join(dir, name + ext);
    const kind = await kindOf(path);
    if (kind === 'dir') return filesUnder(path);
    if (kind === 'file') return [path];
  }
  return [];
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of [...((await listDirectory(dir)) ?? [])].sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(dir, entry);
    const ext = extname(entry);
    const kind = await kindOf(path);
    if (kind === 'dir' && ext === '') found.push(...(await filesUnder(path)));
    else if (kind === 'file' && EXTENSIONS.includes(ext)) found.push(path);
  }
  return found;
}

/** One vars file as a layer; a vault file's string values all become secrets. */
export async function readVarsFile(file: string, secrets: Set<string>, opts: VarsFilesOptions): Promise<VarLayer> {
  let text = decodeText(await readFile(file), file);
  if (!isVaultText(text)) {
    const src = parseYaml(text, file);
    return varsFromMapping(src.doc.contents, src, 'a vars file');
  }
  if (opts.defer) return new Map();
  if (!opts.keyring) throw new ConfigError(`${file} is vault-encrypted: no vault secret was given`);
  text = await opts.keyring.decrypt(text, file);
  // Every string in the plaintext is a secret from now on, also when the file turns out malformed: the
  // messages below quote values (e.g. "got the scalar '...'" for a vault holding a bare password).
  collectStrings(lenientParse(text), secrets);
  return hidingSecrets(secrets, () => {
    const src = parseYaml(text, file);
    const layer = varsFromMapping(src.doc.contents, src, 'a vars file');
    for (const { value } of layer.values()) collectStrings(value, secrets);
    return layer;
  });
}

/** The plaintext's values as far as YAML can read them (tags name no secret: skipped); undefined when unreadable. */
function lenientParse(text: string): unknown {
  try {
    const skip = (tag: string) => ({ tag, resolve: () => null });
    return YAML.parse(text, { customTags: [skip('!env'), skip('!vault'), skip('!unsafe')], logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value !== '') into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}

async function listDirectory(dir: string): Promise<Set<string> | undefined> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return undefined;
  }
}

async function kindOf(path: string): Promise<'file' | 'dir' | 'other'> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}
