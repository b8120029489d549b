// argv -> a run. Every playbook file ends with `runIfMain(module, playbook)` (CommonJS has no top-level await).
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Connection } from './types';
import type { HostEntry, Inventory } from './inventory/types';
import type { Playbook } from './dsl';
import type { Reporter, TaskRef } from './runner/events';
import type { TypeCheckPlaybook, TypeCheckResult } from './type-check-result';
import type { ConnectionOptions } from './connection/ssh-settings';
import type { VaultKeyring } from './vault/keyring';
import type { SecretPrompt } from './vault/password';
import { ConfigError } from './errors';
import { parseExtraVars } from './extra-vars';
import { planPlaybook, runPlan } from './runner';
import { listHosts, listTags, listTasks } from './output/listing';
import { addVaultOptions, keyringFrom, type VaultFlags } from './vault/options';

export { parseExtraVars } from './extra-vars';

export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
  /** Specs inject fake hosts here (given what -u/-k/-K/--private-key/--become-user ask for); a real run opens SSH or local connections. */
  readonly connect?: (entry: HostEntry, options: ConnectionOptions) => Connection;
  readonly signal?: AbortSignal;
  /** The playbook's type-check (runIfMain sets it for a .ts playbook); skipped by --no-type-check. */
  readonly typeCheck?: () => TypeCheckResult;
  /** Reads a password on the terminal without echo (-k, -K, vault prompts); default: the process's terminal. */
  readonly prompt?: SecretPrompt;
  /** Asks the --step question on the terminal; undefined when stdin is no terminal. */
  readonly ask?: (question: string) => Promise<string>;
}

export interface CliOptions extends VaultFlags {
  /** -i, repeatable (VPHA_INVENTORY gives one). */
  readonly inventory?: string[] | string;
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
  readonly acceptNewHostKeys: boolean;
  readonly knownHosts?: string;
  readonly typeCheck: boolean;
  readonly syntaxCheck: boolean;
  readonly step: boolean;
  readonly user?: string;
  readonly become: boolean;
  readonly becomeUser?: string;
  readonly privateKey?: string;
  readonly askPass: boolean;
  readonly askBecomePass: boolean;
}

const list = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export function buildCommand(name: string): Command {
  const cmd = new Command(name)
    .description('Run this playbook against an inventory (flags as in ansible-playbook)')
    .addOption(
      new Option('-i, --inventory <path>', 'inventory directory, file (TS module, Ansible INI or YAML) or host list; repeatable')
        .env('VPHA_INVENTORY')
        .argParser((v: string, p: string[] | undefined) => [...(p ?? []), v]),
    )
    .option('-l, --limit <pattern>', 'further limit hosts to a pattern: name, group, glob, a:b, a:!b, a:&b')
    .option('-t, --tags <tags>', 'only run tasks tagged with these (comma-separated, repeatable)', list, [])
    .option('--skip-tags <tags>', 'skip tasks tagged with these', list, [])
    .option('-C, --check', "don't change anything; report what would change", false)
    .option('-D, --diff', 'show the differences in files and settings', false)
    .option('-f, --forks <n>', 'hosts worked on at once', positiveInt, 10)
    .option('-e, --extra-vars <vars>', 'key=value ..., a YAML/JSON mapping or @file (vault too); highest precedence, later ones win (repeatable)', (v, p: string[]) => [...p, v], [])
    .option('--list-hosts', 'list the hosts each play would run on, then exit', false)
    .option('--list-tasks', 'list the tasks that would run (after --tags/--skip-tags), then exit', false)
    .option('--list-tags', 'list all tags, then exit', false)
    .option('--syntax-check', 'check the playbook (type-check, inventory, host patterns, handler names), then exit', false)
    .option('--step', 'ask before each task: (N)o/(y)es/(c)ontinue (needs a terminal)', false)
    .option('--start-at-task <name>', 'start at the task with this name ("role : name" also matches)')
    .option('--force-handlers', 'run notified handlers even on hosts that failed', false)
    .option('--timeout <seconds>', 'fail a task on a host after this many seconds (0: no limit)', (v) => Number(v), 0)
    .option('-v, --verbose', 'more output: -v commands, -vv module calls (repeatable)', (_v, n: number) => n + 1, 0)
    .option('--json', 'machine-readable event stream on stdout, one JSON object per line', false)
    .option('-u, --user <user>', 'SSH login user where the inventory sets no ansible_user (default root)')
    .option('--private-key <file>', 'SSH key file where the inventory sets no ansible_ssh_private_key_file')
    .addOption(new Option('--key-file <file>').hideHelp())
    .option('-k, --ask-pass', 'ask for the SSH password (where the inventory sets no ansible_password)', false)
    .option('-b, --become', 'run tasks with become (sudo) unless a play, block or task says otherwise', false)
    .option('--become-user <user>', 'the user become runs as (default root; ansible_become_user wins)')
    .option('-K, --ask-become-pass', 'ask for the become (sudo) password (where the inventory sets no ansible_become_password)', false)
    .option('--accept-new-host-keys', 'record unknown SSH host keys in known_hosts (a changed key still fails)', false)
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts; inventory var ansible_ssh_known_hosts_file)')
    .option('--no-type-check', "run without type-checking the playbook's sources (checked once per change otherwise)");
  return addVaultOptions(cmd);
}

/** Run a playbook from argv; resolves to the exit code. */
export async function main(pb: Playbook, argv: readonly string[], io: CliIO): Promise<number> {
  const cmd = buildCommand(pb.name)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  let o: CliOptions & { readonly keyFile?: string };
  try {
    o = cmd.parse(['node', pb.name, ...argv]).opts<CliOptions & { readonly keyFile?: string }>();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 1; // --help / --version exit 0; usage errors 1 (commander printed the reason)
  }
  // --syntax-check is the type-check's job above all: it runs even with --no-type-check.
  if ((o.typeCheck || o.syntaxCheck) && io.typeCheck) {
    const checked = io.typeCheck();
    if (!checked.ok) {
      io.err(checked.report);
      io.err(`ERROR: ${pb.name}: the type errors above stop the run before any host is touched (--no-type-check runs it anyway)`);
      return 1;
    }
  }
  let secrets: ReadonlySet<string> = new Set();
  try {
    const sources = typeof o.inventory === 'string' ? [o.inventory] : (o.inventory ?? []);
    if (sources.length === 0) throw new ConfigError('no inventory: give -i DIR|FILE (or set VPHA_INVENTORY)');
    const prompt = io.prompt ?? defaultPrompt;
    const keyring = keyringFrom(o, io.env, prompt);
    // Listing reads no secret: no !env value, no vault, no password prompt (Ansible's --list-* ask for none).
    const listing = o.listHosts || o.listTasks || o.listTags || o.syntaxCheck;
    const inventory = await loadInventoryFor(sources, keyring, listing, io);
    secrets = inventory.secrets;
    const tags = { only: o.tags, skip: o.skipTags };
    // -e values matter to a run (role variables, templates); a listing plans without them.
    const extraVars = listing ? {} : await parseExtraVars(o.extraVars, keyring);
    const plan = planPlaybook(pb, { inventory, limit: o.limit, tags, startAtTask: o.startAtTask, extraVars, check: o.check, checks: listing ? 'structure' : 'all' });
    if (listing) {
      // Listings touch no host and read no secret: they print the plan the run would run.
      const lines = o.syntaxCheck ? ['', `playbook: ${pb.name}`] : o.listHosts ? listHosts(plan) : o.listTags ? listTags(plan) : listTasks(plan);
      lines.forEach((l) => io.out(l));
      return 0;
    }
    if (o.step && !io.ask) throw new ConfigError('--step asks before each task and needs a terminal on stdin');
    const connection = await connectionOptions(o, prompt, io.env);
    const reporter = await makeReporter(o, io);
    const inject = io.connect;
    const connect = inject ? (entry: HostEntry) => inject(entry, connection) : await sshConnector(connection);
    const summary = await runPlan(plan, {
      connect,
      reporter,
      diff: o.diff,
      forks: o.forks,
      verbosity: o.verbose,
      forceHandlers: o.forceHandlers,
      taskTimeout: o.timeout,
      signal: io.signal,
      become: o.become,
      step: o.step && io.ask ? stepper(io.ask) : undefined,
    });
    return summary.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) {
      // Role checks quote values: one that came from a vault (or !env) is masked like in any other output.
      const { Redactor } = require('./secrets/redact') as typeof import('./secrets/redact'); // lazy: keeps start-up lean
      const r = new Redactor();
      secrets.forEach((v) => r.add(v));
      io.err(`ERROR: ${r.redact(e.message)}`);
      return 1;
    }
    throw e;
  }
}

const defaultPrompt: SecretPrompt = (question) => {
  const { promptSecret } = require('./prompt') as typeof import('./prompt'); // lazy: keeps start-up lean
  return promptSecret(question);
};

/** Ansible's --step question before each task: y runs it, c runs it and stops asking, anything else skips it. */
function stepper(ask: (question: string) => Promise<string>): (task: TaskRef) => Promise<boolean> {
  let asking = true;
  return async (task) => {
    if (!asking) return true;
    const name = task.role ? `${task.role} : ${task.name}` : task.name;
    const answer = (await ask(`Perform task: TASK: ${name} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
    if (answer === 'c' || answer === 'continue') asking = false;
    return answer === 'y' || answer === 'yes' || answer === 'c' || answer === 'continue';
  };
}

async function loadInventoryFor(sources: readonly string[], keyring: VaultKeyring, deferSecrets: boolean, io: CliIO): Promise<Inventory> {
  const { loadInventory } = require('./inventory/load') as typeof import('./inventory/load'); // lazy: keeps start-up lean
  return loadInventory(sources, { keyring, env: io.env, deferSecrets });
}

/** -u, --private-key, -k, -K, --become-user: defaults under the inventory's own connection variables. */
async function connectionOptions(o: CliOptions & { readonly keyFile?: string }, prompt: SecretPrompt, env: NodeJS.ProcessEnv): Promise<ConnectionOptions> {
  const password = o.askPass ? await prompt('SSH password: ') : env.VPHA_SSH_PASSWORD;
  let becomePassword = o.askBecomePass ? await prompt(o.askPass ? 'BECOME password[defaults to SSH password]: ' : 'BECOME password: ') : undefined;
  if (becomePassword === '' && o.askPass) becomePassword = password;
  return {
    knownHostsFile: o.knownHosts,
    acceptNewHostKeys: o.acceptNewHostKeys,
    user: o.user,
    privateKeyFile: o.privateKey ?? o.keyFile,
    password,
    becomePassword,
    becomeUser: o.becomeUser,
  };
}

async function sshConnector(opts: ConnectionOptions): Promise<(entry: HostEntry) => Connection> {
  const { openConnection } = require('./connection/index') as typeof import('./connection/index'); // lazy: keeps start-up lean
  return (entry) => openConnection(entry, opts);
}

async function makeReporter(o: CliOptions, io: CliIO): Promise<Reporter> {
  if (o.json) {
    const { JsonReporter } = require('./output/json') as typeof import('./output/json'); // lazy: keeps start-up lean
    return new JsonReporter(io.out);
  }
  const { makePaint } = require('./output/paint') as typeof import('./output/paint'); // lazy: keeps start-up lean
  const paint = makePaint(io.isTTY && !io.env.NO_COLOR);
  if (io.isTTY && o.verbose === 0 && !o.step) {
    const { ListrReporter } = require('./output/listr') as typeof import('./output/listr'); // lazy: keeps start-up lean
    return new ListrReporter(io.out, paint);
  }
  const { PlainReporter } = require('./output/plain') as typeof import('./output/plain'); // lazy: keeps start-up lean
  return new PlainReporter(io.out, paint);
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
    ask: process.stdin.isTTY
      ? (question) => {
          const { promptLine } = require('./prompt') as typeof import('./prompt'); // lazy: keeps start-up lean
          return promptLine(question);
        }
      : undefined,
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
