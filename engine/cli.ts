// argv -> a run. Every playbook file ends with `runIfMain(module, playbook)` (CommonJS has no top-level await).
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Connection } from './types';
import type { HostEntry, Inventory } from './inventory/types';
import type { Playbook, Vars } from './dsl';
import type { Reporter } from './runner/events';
import type { TypeCheckPlaybook, TypeCheckResult } from './type-check-result';
import { ConfigError } from './errors';
import { planPlaybook, runPlan } from './runner';
import { listHosts, listTags, listTasks } from './output/listing';

export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
  /** Specs inject fake hosts here; a real run opens SSH or local connections from the inventory. */
  readonly connect?: (entry: HostEntry) => Connection;
  readonly signal?: AbortSignal;
  /** The playbook's type-check (runIfMain sets it for a .ts playbook); skipped by --no-type-check. */
  readonly typeCheck?: () => TypeCheckResult;
}

export interface CliOptions {
  readonly inventory?: string;
  readonly limit?: string;
  readonly tags: string[];
  readonly skipTags: string[];
  readonly check: boolean;
  readonly diff: boolean;
  readonly forks: number;
  readonly extraVars: string[];
  readonly listHosts: boolean;
  readonly listTasks: boolean;
  readonly listTags: boolean;
  readonly startAtTask?: string;
  readonly forceHandlers: boolean;
  readonly timeout: number;
  readonly verbose: number;
  readonly json: boolean;
  readonly vaultPasswordFile?: string;
  readonly acceptNewHostKeys: boolean;
  readonly knownHosts?: string;
  readonly typeCheck: boolean;
}

const list = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export function buildCommand(name: string): Command {
  return new Command(name)
    .description('Run this playbook against an inventory (flags as in ansible-playbook)')
    .addOption(new Option('-i, --inventory <path>', 'inventory directory or file (TS module, Ansible INI or YAML)').env('VPHA_INVENTORY'))
    .option('-l, --limit <pattern>', 'further limit hosts to a pattern: name, group, glob, a:b, a:!b, a:&b')
    .option('-t, --tags <tags>', 'only run tasks tagged with these (comma-separated, repeatable)', list, [])
    .option('--skip-tags <tags>', 'skip tasks tagged with these', list, [])
    .option('-C, --check', "don't change anything; report what would change", false)
    .option('-D, --diff', 'show the differences in files and settings', false)
    .option('-f, --forks <n>', 'hosts worked on at once', positiveInt, 10)
    .option('-e, --extra-vars <vars>', 'key=value, a JSON object or @file.yml; highest precedence (repeatable)', (v, p: string[]) => [...p, v], [])
    .option('--list-hosts', 'list the hosts each play would run on, then exit', false)
    .option('--list-tasks', 'list the tasks that would run (after --tags/--skip-tags), then exit', false)
    .option('--list-tags', 'list all tags, then exit', false)
    .option('--start-at-task <name>', 'start at the task with this name ("role : name" also matches)')
    .option('--force-handlers', 'run notified handlers even on hosts that failed', false)
    .option('--timeout <seconds>', 'fail a task on a host after this many seconds (0: no limit)', (v) => Number(v), 0)
    .option('-v, --verbose', 'more output: -v commands, -vv module calls (repeatable)', (_v, n: number) => n + 1, 0)
    .option('--json', 'machine-readable event stream on stdout, one JSON object per line', false)
    .addOption(new Option('--vault-password-file <file>', 'file holding the vault password (or env VPHA_VAULT_PASSWORD)'))
    .option('--accept-new-host-keys', 'record unknown SSH host keys in known_hosts (a changed key still fails)', false)
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts; inventory var ansible_ssh_known_hosts_file)')
    .option('--no-type-check', "run without type-checking the playbook's sources (checked once per change otherwise)");
}

/** Run a playbook from argv; resolves to the exit code. */
export async function main(pb: Playbook, argv: readonly string[], io: CliIO): Promise<number> {
  const cmd = buildCommand(pb.name)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  let o: CliOptions;
  try {
    o = cmd.parse(['node', pb.name, ...argv]).opts<CliOptions>();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 1; // --help / --version exit 0; usage errors 1 (commander printed the reason)
  }
  if (o.typeCheck && io.typeCheck) {
    const checked = io.typeCheck();
    if (!checked.ok) {
      io.err(checked.report);
      io.err(`ERROR: ${pb.name}: the type errors above stop the run before any host is touched (--no-type-check runs it anyway)`);
      return 1;
    }
  }
  let secrets: ReadonlySet<string> = new Set();
  try {
    if (!o.inventory) throw new ConfigError('no inventory: give -i DIR|FILE (or set VPHA_INVENTORY)');
    const inventory = await loadInventoryFor(o, io);
    secrets = inventory.secrets;
    const extraVars = parseExtraVars(o.extraVars);
    const tags = { only: o.tags, skip: o.skipTags };
    const plan = planPlaybook(pb, { inventory, limit: o.limit, tags, startAtTask: o.startAtTask, extraVars, check: o.check });
    if (o.listHosts || o.listTasks || o.listTags) {
      // Listings touch no host: they print the plan the run would run.
      const lines = o.listHosts ? listHosts(plan) : o.listTags ? listTags(plan) : listTasks(plan);
      lines.forEach((l) => io.out(l));
      return 0;
    }
    const reporter = await makeReporter(o, io);
    const connect = io.connect ?? (await sshConnector(o, inventory, io));
    const summary = await runPlan(plan, {
      connect,
      reporter,
      diff: o.diff,
      forks: o.forks,
      verbosity: o.verbose,
      forceHandlers: o.forceHandlers,
      taskTimeout: o.timeout,
      signal: io.signal,
    });
    return summary.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) {
      // Role checks quote values: one that came from a vault (or !env) is masked like in any other output.
      const { Redactor } = require('./runner/redact') as typeof import('./runner/redact'); // lazy: keeps start-up lean
      const r = new Redactor();
      secrets.forEach((v) => r.add(v));
      io.err(`ERROR: ${r.redact(e.message)}`);
      return 1;
    }
    throw e;
  }
}

async function loadInventoryFor(o: CliOptions, io: CliIO): Promise<Inventory> {
  const { loadInventory } = require('./inventory/load') as typeof import('./inventory/load'); // lazy: keeps start-up lean
  const { readVaultPassword } = require('./vault/password') as typeof import('./vault/password'); // lazy: keeps start-up lean
  const vaultPassword = readVaultPassword({ file: o.vaultPasswordFile, env: io.env });
  return loadInventory(o.inventory!, { vaultPassword, env: io.env });
}

async function sshConnector(o: CliOptions, _inv: Inventory, io: CliIO): Promise<(entry: HostEntry) => Connection> {
  const { openConnection } = require('./connection/index') as typeof import('./connection/index'); // lazy: keeps start-up lean
  const password = io.env.VPHA_SSH_PASSWORD;
  return (entry) => openConnection(entry, { knownHostsFile: o.knownHosts, acceptNewHostKeys: o.acceptNewHostKeys, password });
}

async function makeReporter(o: CliOptions, io: CliIO): Promise<Reporter> {
  if (o.json) {
    const { JsonReporter } = require('./output/json') as typeof import('./output/json'); // lazy: keeps start-up lean
    return new JsonReporter(io.out);
  }
  const { makePaint } = require('./output/paint') as typeof import('./output/paint'); // lazy: keeps start-up lean
  const paint = makePaint(io.isTTY && !io.env.NO_COLOR);
  if (io.isTTY && o.verbose === 0) {
    const { ListrReporter } = require('./output/listr') as typeof import('./output/listr'); // lazy: keeps start-up lean
    return new ListrReporter(io.out, paint);
  }
  const { PlainReporter } = require('./output/plain') as typeof import('./output/plain'); // lazy: keeps start-up lean
  return new PlainReporter(io.out, paint);
}

export function parseExtraVars(items: readonly string[]): Vars {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.startsWith('@')) {
      const file = item.slice(1);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new ConfigError(`-e ${item}: cannot read ${file}: ${(e as Error).message}`);
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const YAML = require('yaml') as typeof import('yaml');
      const parsed: unknown = YAML.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`-e ${item}: ${file} must hold a mapping of variables`);
      Object.assign(out, parsed);
    } else if (item.trimStart().startsWith('{')) {
      try {
        Object.assign(out, JSON.parse(item) as object);
      } catch (e) {
        throw new ConfigError(`-e '${item}': not valid JSON: ${(e as Error).message}`);
      }
    } else {
      for (const pair of item.split(/\s+/).filter(Boolean)) {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new ConfigError(`-e '${pair}': expected key=value, a JSON object or @file.yml`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
  }
  return out;
}

/** The last line of every playbook file. */
export function runIfMain(mod: NodeJS.Module, pb: Playbook): void {
  if (require.main !== mod) return;
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupted: finishing in-flight tasks (Ctrl-C again to quit now)\n');
    abort.abort();
  });
  const entry = mod.filename;
  const typeCheck = entry.endsWith('.ts') // compiled to JavaScript: tsc already checked it
    ? () => {
        // Loaded, and typed, only here: see type-check-result.ts.
        const { typeCheckPlaybook } = require('./type-check') as { readonly typeCheckPlaybook: TypeCheckPlaybook };
        return typeCheckPlaybook(entry, { color: !!process.stderr.isTTY && !process.env.NO_COLOR });
      }
    : undefined;
  main(pb, process.argv.slice(2), {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    env: process.env,
    isTTY: !!process.stdout.isTTY,
    signal: abort.signal,
    typeCheck,
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
