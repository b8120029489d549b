// `-i DIR|FILE` -> Inventory. A DIR holds index.ts, hosts / hosts.ini / inventory.ini (INI) or
// hosts.yml / hosts.yaml (YAML); group_vars/ and host_vars/ are read from beside the inventory file.
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { ConfigError } from '../errors';
import { InventoryDraft } from './draft';
import { parseIniInventory } from './ini';
import { inventoryFromDraft } from './inventory';
import { loadTsInventory } from './ts-inventory';
import type { Inventory } from './types';
import { loadVarsDirs } from './vars-files';
import { parseYamlInventory } from './yaml-inventory';

export interface LoadInventoryOptions {
  /** Opens vault-encrypted group_vars/host_vars files. */
  readonly vaultPassword?: string;
  /** Where `!env NAME` values are read; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The files a DIR inventory may hold, in the order they are looked for. */
export const INVENTORY_FILES = ['index.ts', 'hosts', 'hosts.ini', 'inventory.ini', 'hosts.yml', 'hosts.yaml'];

type Format = 'ts' | 'yaml' | 'ini';

export async function loadInventory(source: string, opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const env = opts.env ?? process.env;
  const file = await inventoryFile(source);
  const draft = new InventoryDraft(source);
  const format = formatOf(file);
  if (format === 'ts') {
    loadTsInventory(file, draft);
  } else {
    const text = await readFile(file, 'utf8');
    if (format === 'yaml') parseYamlInventory(text, file, draft, { env, secrets: draft.secrets });
    else parseIniInventory(text, file, draft);
  }
  await loadVarsDirs(dirname(file), draft, { env, vaultPassword: opts.vaultPassword });
  return inventoryFromDraft(draft);
}

async function inventoryFile(source: string): Promise<string> {
  const kind = await fileKind(source);
  if (kind === 'missing') throw new ConfigError(`inventory ${source} does not exist`);
  if (kind === 'file') return source;
  for (const name of INVENTORY_FILES) {
    const candidate = join(source, name);
    if ((await fileKind(candidate)) === 'file') return candidate;
  }
  throw new ConfigError(`inventory ${source}: the directory holds none of ${INVENTORY_FILES.join(', ')}`);
}

function formatOf(file: string): Format {
  const ext = extname(file);
  if (ext === '.ts') return 'ts';
  if (ext === '.yml' || ext === '.yaml') return 'yaml';
  return 'ini';
}

async function fileKind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}
