// The real Ansible (Debian's ansible package, ansible-core 2.14) as the reference the differential specs compare
// with, run in a clean environment: an empty ansible.cfg and a private HOME/ANSIBLE_HOME/temp dir in the OS temp
// dir (nothing written into the repository or the user's ~/.ansible), no colours, the same result on any machine.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type AnsibleCommand = 'ansible' | 'ansible-inventory' | 'ansible-vault' | 'ansible-playbook';

const COMMANDS: readonly AnsibleCommand[] = ['ansible', 'ansible-inventory', 'ansible-vault', 'ansible-playbook'];
const absent = COMMANDS.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
/** Why the real Ansible cannot be used here (the specs then report themselves pending), or undefined. */
export const ansibleMissing: string | undefined =
  absent.length === 0 ? undefined : `${absent.join(', ')} not found: Debian's ansible package is not installed (scripts/install-deps.sh installs it)`;

let home: string | undefined;

/** The private directory the real Ansible runs with; made on first use, removed when the process exits. */
export function ansibleHome(): string {
  if (home === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'vpha-ansible-'));
    mkdirSync(join(dir, 'home'));
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    home = dir;
  }
  return home;
}

export interface AnsibleRunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

function environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = ansibleHome();
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: join(dir, 'home'),
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ANSIBLE_HOME: join(dir, 'home', '.ansible'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    // An empty inventory is a case here, not a mistake to warn about.
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ...extra,
  };
}

export function ansible(command: AnsibleCommand, args: readonly string[], opts: AnsibleRunOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(command, [...args], { cwd: opts.cwd, env: environment(opts.env), input: opts.input ?? '', encoding: 'utf8', timeout: 120000 });
}

export interface AnsibleResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The same, without blocking: the differential spec runs a few of these at once. */
export function ansibleAsync(command: AnsibleCommand | '/usr/bin/python3', args: readonly string[], opts: AnsibleRunOptions = {}): Promise<AnsibleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: opts.cwd, env: environment(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(opts.input ?? '');
  });
}

/** In a before() hook: without Ansible the suite is pending, and says why on stderr. */
export function requireAnsible(ctx: Mocha.Context): void {
  if (ansibleMissing === undefined) return;
  process.stderr.write(`pending: ${ctx.currentTest?.parent?.fullTitle() ?? ctx.test?.parent?.fullTitle() ?? 'spec'}: ${ansibleMissing}\n`);
  ctx.skip();
}
