// `npm run inventory -- -i SOURCE (--list | --host HOST | --graph [GROUP])`: what the engine reads from an
// inventory, in ansible-inventory's output shape (JSON with sorted keys and 4-space indent; the @group tree).
// Deliberately different: values from a vault or the environment are printed masked. --graph shows no value,
// so, like the playbooks' listing flags, it reads no secret (no !env value, no vault password asked).
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../errors';
import { Redactor } from '../secrets/redact';
import type { HostName } from '../types';
import { addVaultOptions, keyringFrom, type VaultFlags } from '../vault/options';
import type { SecretPrompt } from '../vault/password';
import { loadInventory } from './load';
import type { GroupNode, Inventory } from './types';

export interface InventoryIO {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths in argv are taken from here (default: the process's working directory). */
  readonly cwd?: string;
  readonly prompt?: SecretPrompt;
}

interface Options extends VaultFlags {
  readonly inventory: string[];
  readonly list?: boolean;
  readonly host?: string;
  readonly graph?: boolean;
}

/** ansible-inventory --list: every group reachable from 'all' (direct hosts, children) and _meta.hostvars. */
export function listJson(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (node: GroupNode): void => {
    const entry: Record<string, unknown> = {};
    if (node.name !== 'all' && node.hosts.length > 0) entry.hosts = [...node.hosts];
    if (node.children.length > 0) entry.children = [...node.children];
    if (Object.keys(entry).length > 0) out[node.name] = entry;
    for (const child of node.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      const next = inv.tree.get(child);
      if (next) format(next);
    }
  };
  const all = inv.tree.get('all');
  if (all) format(all);
  const hostvars: Record<string, unknown> = {};
  for (const [name, entry] of inv.hosts) if (Object.keys(entry.vars).length > 0) hostvars[name] = entry.vars;
  out._meta = { hostvars };
  return out;
}

/** ansible-inventory --host HOST: the one host HOST (a pattern) selects, its variables. */
export function hostJson(inv: Inventory, pattern: string): Record<string, unknown> {
  const hosts = inv.select(pattern);
  if (hosts.length !== 1) throw new ConfigError(`--host '${pattern}' must select exactly one host (it selects ${hosts.length})`);
  return { ...inv.hosts.get(hosts[0] as HostName)!.vars };
}

/** ansible-inventory --graph [GROUP]. */
export function graphLines(inv: Inventory, group = 'all'): string[] {
  const start = inv.tree.get(group);
  if (!start) throw new ConfigError(`--graph ${group}: no group of that name (the pattern must be a group name)`);
  const line = (text: string, depth: number): string => (depth > 0 ? `${'  |'.repeat(depth)}--${text}` : text);
  const walk = (node: GroupNode, depth: number): string[] => [
    line(`@${node.name}:`, depth),
    ...node.children.flatMap((child) => walk(inv.tree.get(child)!, depth + 1)),
    ...(node.name === 'all' ? [] : node.hosts.map((h) => line(h, depth + 1))),
  ];
  return walk(start, 0);
}

/** JSON as Python's json.dumps(sort_keys=True, indent=4, ensure_ascii=False) writes it. */
export function ansibleJson(value: unknown): string {
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortDeep);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify(sortDeep(value), null, 4);
}

export interface InventoryRequest {
  readonly inventory: Inventory;
  readonly action: { readonly kind: 'list' } | { readonly kind: 'host'; readonly host: string } | { readonly kind: 'graph'; readonly group?: string };
}

/** Parse argv and load the inventory it names, as a run would (every secret read, but for --graph). Throws ConfigError. */
export async function inventoryFromArgv(argv: readonly string[], io: InventoryIO): Promise<InventoryRequest> {
  const program = addVaultOptions(
    new Command('inventory')
      .description("show the inventory as the engine reads it (ansible-inventory's output)")
      .option('-i, --inventory <source>', 'inventory directory, file or host list (repeatable)', (v: string, p: string[]) => [...p, v], [])
      .option('--list', 'every group and host variable, as JSON')
      .option('--host <host>', "one host's variables, as JSON")
      .option('--graph', 'the group tree (from GROUP, default all)')
      .argument('[group]', 'the group --graph starts at'),
  )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  program.parse(['node', 'inventory', ...argv]);
  const o = program.opts<Options>();
  const actions = [o.list, o.host !== undefined, o.graph].filter(Boolean).length;
  if (actions !== 1) throw new ConfigError('give exactly one of --list, --host HOST or --graph');
  if (o.inventory.length === 0) throw new ConfigError('no inventory: give -i SOURCE');
  const at = (p: string): string => (io.cwd !== undefined && !p.includes(',') ? resolve(io.cwd, p) : p);
  const flags: VaultFlags = { ...o, vaultId: o.vaultId.map((v) => withPath(v, at)), vaultPasswordFile: o.vaultPasswordFile.map(at) };
  const keyring = keyringFrom(flags, io.env, io.prompt);
  const inventory = await loadInventory(o.inventory.map(at), { env: io.env, keyring, deferSecrets: o.graph === true });
  const group = program.args[0];
  const action = o.list ? { kind: 'list' as const } : o.host !== undefined ? { kind: 'host' as const, host: o.host } : { kind: 'graph' as const, group };
  return { inventory, action };
}

export async function inventoryMain(argv: readonly string[], io: InventoryIO): Promise<number> {
  try {
    const { inventory: inv, action } = await inventoryFromArgv(argv, io);
    const redactor = new Redactor();
    inv.secrets.forEach((s) => redactor.add(s));
    if (action.kind === 'graph') io.out(`${redactor.redact(graphLines(inv, action.group).join('\n'))}\n`);
    else io.out(`${ansibleJson(redactor.redactDeep(action.kind === 'list' ? listJson(inv) : hostJson(inv, action.host)))}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (!(e instanceof ConfigError)) throw e;
    io.err(`ERROR: ${e.message}`);
    return 1;
  }
}

/** `label@path` with the path taken from cwd (prompt stays prompt). */
function withPath(slug: string, at: (p: string) => string): string {
  const i = slug.indexOf('@');
  const label = i < 0 ? '' : slug.slice(0, i + 1);
  const source = i < 0 ? slug : slug.slice(i + 1);
  return source === 'prompt' ? slug : `${label}${at(source)}`;
}

if (require.main === module) {
  inventoryMain(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`inventory: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
