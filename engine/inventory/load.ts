// `-i SOURCE` (one or several) -> Inventory, the way ansible-core's InventoryManager reads sources: a
// directory is every file in it, in name order, recursively (skipping hidden files, group_vars/, host_vars/
// and Ansible's INVENTORY_IGNORE_EXTS), groups extending each other across files; a file is tried as YAML
// (no extension, .yml, .yaml, .json) and then as INI; `a,b,` is a host list. group_vars/ and host_vars/ are
// read beside each source (the directory itself, or the file's directory). This engine's typed inventory is a
// directory holding index.ts (or a .ts file). Deliberately stricter than Ansible, which warns and goes on: a
// source it cannot read (missing, unparsable, an executable inventory script, an inventory plugin config,
// TOML) stops with an error.
import { access, constants, open, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { ConfigError } from '../errors';
import { isVaultText } from '../vault/crypto';
import { VaultKeyring } from '../vault/keyring';
import { DEFAULT_VAULT_ID } from '../vault/password';
import { parseAddress } from './addresses';
import { InventoryDraft, type VarLayer } from './draft';
import { excerpt } from './excerpt';
import { parseIniInventory } from './ini';
import { inventoryFromDraft } from './inventory';
import { hasSecretReference, resolveSecretValues, type SecretContext } from './secret-values';
import { decodeIniText, decodeText } from './text-file';
import { loadTsInventory } from './ts-inventory';
import type { Inventory } from './types';
import { loadVarsDirs } from './vars-files';
import { parseYamlInventory, yamlInventoryRefusal } from './yaml-inventory';
import { parseYaml, type YamlSource } from './yaml-source';

export interface LoadInventoryOptions {
  /** Opens vault-encrypted files and `!vault` values (read lazily). */
  readonly keyring?: VaultKeyring;
  /** A single vault password (vault id 'default'): shorthand for a keyring of one. */
  readonly vaultPassword?: string;
  /** Where `!env NAME` values are read; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Read no secret: `!env` values, `!vault` values and vault-encrypted vars files are left unread, for runs
   * that only list (their variables are then absent or DeferredSecret placeholders).
   */
  readonly deferSecrets?: boolean;
}

const YAML_EXTENSIONS = ['', '.yml', '.yaml', '.json'];
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

export async function loadInventory(source: string | readonly string[], opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const sources = typeof source === 'string' ? [source] : [...source];
  if (sources.length === 0) throw new ConfigError('no inventory source given');
  const env = opts.env ?? process.env;
  const keyring = opts.keyring ?? new VaultKeyring(opts.vaultPassword === undefined ? [] : [literalSecret(opts.vaultPassword)]);
  const defer = opts.deferSecrets ?? false;
  const draft = new InventoryDraft(sources.join(', '));
  const reader = new SourceReader(draft, keyring);

  const baseDirs: (string | undefined)[] = [];
  for (const given of sources) baseDirs.push(await reader.read(expandHome(given)));
  for (const [index, baseDir] of baseDirs.entries()) {
    if (baseDir !== undefined) await loadVarsDirs(baseDir, index, draft, { keyring, defer });
  }
  await resolveSecrets(draft, { env, keyring, secrets: draft.secrets, defer });
  return inventoryFromDraft(draft);
}

function literalSecret(password: string) {
  return { id: DEFAULT_VAULT_ID, from: 'the given password', load: () => Promise.resolve(password) };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

class SourceReader {
  constructor(
    private readonly draft: InventoryDraft,
    private readonly keyring: VaultKeyring,
  ) {}

  /** Read one -i source; returns the directory its group_vars/ and host_vars/ are read from (none for a host list). */
  async read(source: string): Promise<string | undefined> {
    const kind = await kindOf(source);
    if (kind === 'missing') {
      if (source.includes(',')) return this.hostList(source);
      throw new ConfigError(`inventory ${source} does not exist`);
    }
    if (kind === 'dir') {
      const index = join(source, 'index.ts');
      if ((await kindOf(index)) === 'file') loadTsInventory(index, this.draft);
      else await this.directory(source);
      return source;
    }
    if (extname(source) === '.ts') loadTsInventory(source, this.draft);
    else await this.file(source);
    return dirname(source);
  }

  /** The host_list plugin: `-i 'web1,web2:2222,'`, every host in 'ungrouped', no ranges. */
  private hostList(list: string): undefined {
    for (const word of list.split(',').map((w) => w.trim()).filter(Boolean)) {
      const parsed = parseAddress(word, false);
      const name = parsed?.host ?? word;
      if (!this.draft.hosts.has(name)) this.draft.addHost(name, `-i '${excerpt(list)}'`, new Map(), 'ungrouped', parsed?.port);
    }
    return undefined;
  }

  private async directory(dir: string, top = true): Promise<number> {
    const entries = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    let read = 0;
    for (const entry of entries) {
      if (IGNORED.test(entry)) continue;
      const path = join(dir, entry);
      if ((await kindOf(path)) === 'dir') read += await this.directory(path, false);
      else {
        await this.file(path);
        read++;
      }
    }
    if (top && read === 0) {
      throw new ConfigError(`inventory ${dir}: the directory holds no inventory file (Ansible skips .ini .cfg .md .txt ... in a directory)`);
    }
    return read;
  }

  private async file(file: string): Promise<void> {
    if (await isScript(file)) {
      throw new ConfigError(`${file}: executable inventory scripts are not supported (Ansible would run it as a dynamic inventory)`);
    }
    const ext = extname(file);
    if (ext === '.toml') throw new ConfigError(`${file}: TOML inventories are not supported (use INI or YAML)`);
    let bytes = await readFile(file);
    if (isVaultText(bytes)) bytes = Buffer.from(await this.keyring.decrypt(decodeText(bytes, file), file), 'utf8');
    let yamlProblem: string | undefined;
    if (YAML_EXTENSIONS.includes(ext)) {
      let src: YamlSource | undefined;
      try {
        src = parseYaml(decodeText(bytes, file), file);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        yamlProblem = e.message;
      }
      if (src) {
        const refusal = yamlInventoryRefusal(src);
        if (refusal === undefined) return parseYamlInventory(src, this.draft);
        if (refusal.startsWith("'plugin:") && (ext === '.yml' || ext === '.yaml')) {
          throw new ConfigError(`${file}: inventory plugins are not supported (${refusal})`);
        }
        yamlProblem = `${src.origin(src.doc.contents)}: ${refusal}`;
      }
    }
    try {
      parseIniInventory(decodeIniText(bytes, file), file, this.draft);
    } catch (e) {
      if (!(e instanceof ConfigError) || yamlProblem === undefined) throw e;
      // Both readings failed: name the one the file was meant for.
      if (ext !== '' || looksLikeYaml(bytes)) throw new ConfigError(yamlProblem);
      throw e;
    }
  }
}

function looksLikeYaml(bytes: Buffer): boolean {
  const text = bytes.subarray(0, 4096).toString('utf8');
  return /^---/m.test(text) || /^[^#;[\s][^=\s]*:\s*$/m.test(text);
}

/** Ansible's script plugin takes an executable file that starts with '#!'. */
async function isScript(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
  } catch {
    return false;
  }
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

async function kindOf(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Replace every `!env` / `!vault` reference in the draft's layers with its value (or a deferred marker). */
async function resolveSecrets(draft: InventoryDraft, ctx: SecretContext): Promise<void> {
  const layers: VarLayer[] = [];
  for (const g of draft.groups.values()) layers.push(g.vars, ...g.fileVars.filter(Boolean));
  for (const h of draft.hosts.values()) layers.push(h.vars, ...h.fileVars.filter(Boolean));
  for (const list of draft.implicitFileVars.values()) layers.push(...list.filter(Boolean));
  for (const layer of layers) {
    for (const [key, located] of layer) {
      if (!hasSecretReference(located.value)) continue;
      layer.set(key, { value: await resolveSecretValues(located.value, ctx), origin: located.origin });
    }
  }
}
