// The tools the engine is measured against, found where they are installed: Debian's ansible (apt,
// installed when missing) and three peers the benchmark never installs itself, each in its own
// virtualenv under PEERS_DIR (`$VPHA_BENCH_PEERS`, default /var/cache/vpha-bench/peers):
//   pyinfra/bin/pyinfra                 pyinfra 3
//   mitogen/bin/ansible-playbook        ansible-core with Mitogen (python -c 'import ansible_mitogen')
//   ansible-core/bin/ansible-playbook   the newest ansible-core
// bench/README.md says what goes where. A peer that is not there, or does not start, is reported as
// missing with the reason; it is never left out silently.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../lab/proc';
import type { Cmd, Timed } from './child';
import { ANSIBLE_CFG, ANSIBLE_DIR } from './commands';
import { ensureAnsible, ANSIBLE_LOCALE } from './deps';
import { BENCH_INVENTORY_DIR } from './lab-hosts';
import { pyinfraProblem } from './pyinfra-summary';
import { recapCheck } from './recap';
import { TASK_COUNT } from './workload';

export const PEERS_ENV = 'VPHA_BENCH_PEERS';
export const PEERS_DIR = process.env[PEERS_ENV] || '/var/cache/vpha-bench/peers';

export const PEER_NAMES = ['ansible', 'ansible-core', 'mitogen', 'pyinfra'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Why a run does not count (its exit code or the tool's own summary), or undefined when it does. */
export type RunCheck = (r: Timed, hosts: readonly string[], changedPerHost: number) => string | undefined;

export interface Peer {
  readonly name: PeerName;
  /** What it is, for the report: `pyinfra v3.0b0`, `ansible-playbook [core 2.18.0rc1] + Mitogen 0.3.52dev`. */
  readonly version: string;
  /** How it runs workload (a), for the report. */
  readonly how: string;
  readonly workload: (inventory: string, forks: number) => Cmd;
  readonly check: RunCheck;
}

export type PeerLookup = { readonly name: PeerName } & ({ readonly found: true; readonly peer: Peer } | { readonly found: false; readonly why: string });

const present = (peer: Peer): PeerLookup => ({ name: peer.name, found: true, peer });

const pyinfraCheck: RunCheck = (r, hosts, changed) =>
  r.code !== 0 ? `exit ${r.code}` : pyinfraProblem(`${r.stdout}\n${r.stderr}`, hosts, TASK_COUNT, changed === 0 ? 0 : TASK_COUNT);

const venvBin = (dir: string, peer: PeerName, exe: string): string => path.join(dir, peer, 'bin', exe);

/** A venv's program, or why it cannot be used. */
function venvProgram(dir: string, peer: PeerName, exe: string): { file: string } | { why: string } {
  const file = venvBin(dir, peer, exe);
  return existsSync(file) ? { file } : { why: `${file} not found (install ${peer} there, or point ${PEERS_ENV} at the directory holding it; bench/README.md)` };
}

/**
 * bench/ansible/ansible.cfg with extra [defaults] settings, written beside the benchmark's inventories.
 * A peer's ansible.cfg differs from Debian's only in these lines.
 */
function derivedAnsibleCfg(name: string, extra: readonly string[]): string {
  const file = path.join(BENCH_INVENTORY_DIR, `ansible-${name}.cfg`);
  const base = readFileSync(ANSIBLE_CFG, 'utf8');
  if (!base.includes('[defaults]\n')) throw new Error(`${ANSIBLE_CFG} has no [defaults] section`);
  mkdirSync(BENCH_INVENTORY_DIR, { recursive: true });
  writeFileSync(file, base.replace('[defaults]\n', `[defaults]\n# ${name}: bench/peers.ts\n${extra.join('\n')}\n`));
  return file;
}

/** ansible-playbook on workload (a) with a given binary and ansible.cfg. */
function ansibleCmd(binary: string, label: string, cfg: string): (inventory: string, forks: number) => Cmd {
  return (inventory, forks) => ({
    label: `${label} -i INV -f ${forks} bench/ansible/workload.yml`,
    argv: [binary, '-i', inventory, '-f', String(forks), path.join(ANSIBLE_DIR, 'workload.yml')],
    env: { ANSIBLE_CONFIG: cfg, ...ANSIBLE_LOCALE },
  });
}

/**
 * The peers' venvs see Debian's site-packages (their compiled dependencies come from there), and with
 * them the collections of Debian's `ansible` package, which a pip-installed ansible-core does not have:
 * ansible-core is told not to look for collections on sys.path.
 */
const VENV_ANSIBLE = ['collections_scan_sys_path = False'];

async function debianAnsible(): Promise<PeerLookup> {
  const version = await ensureAnsible().catch((e: Error) => e);
  if (version instanceof Error) return { found: false, name: 'ansible', why: `Debian's ansible-playbook: ${version.message.split('\n')[0]}` };
  return present({
    name: 'ansible',
    version: `${version} (Debian's ansible)`,
    how: 'bench/ansible/ansible.cfg: pipelining, ControlPersist 60s, fixed interpreter, gather_subset min',
    workload: ansibleCmd('ansible-playbook', 'ANSIBLE_CONFIG=bench/ansible/ansible.cfg ansible-playbook', ANSIBLE_CFG),
    check: recapCheck,
  });
}

async function probe(argv: readonly string[], what: string): Promise<{ out: string } | { why: string }> {
  const r = await run(argv, { env: ANSIBLE_LOCALE }).catch((e: Error) => ({ code: 127, stdout: '', stderr: e.message }));
  if (r.code !== 0) return { why: `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}` };
  return { out: r.stdout.trim() };
}

async function newestAnsibleCore(dir: string): Promise<PeerLookup> {
  const exe = venvProgram(dir, 'ansible-core', 'ansible-playbook');
  if ('why' in exe) return { found: false, name: 'ansible-core', why: exe.why };
  const v = await probe([exe.file, '--version'], `${exe.file} --version`);
  if ('why' in v) return { found: false, name: 'ansible-core', why: v.why };
  const cfg = derivedAnsibleCfg('core', VENV_ANSIBLE);
  return present({
    name: 'ansible-core',
    version: v.out.split('\n')[0]!,
    how: `bench/ansible/ansible.cfg (pipelining) + ${VENV_ANSIBLE.join(', ')}`,
    workload: ansibleCmd(exe.file, `ANSIBLE_CONFIG=ansible-core.cfg PEERS/ansible-core/bin/ansible-playbook`, cfg),
    check: recapCheck,
  });
}

async function mitogen(dir: string): Promise<PeerLookup> {
  const exe = venvProgram(dir, 'mitogen', 'ansible-playbook');
  if ('why' in exe) return { found: false, name: 'mitogen', why: exe.why };
  const where = await probe(
    [venvBin(dir, 'mitogen', 'python'), '-c', 'import os, ansible_mitogen, mitogen; print(".".join(map(str, mitogen.__version__))); print(os.path.dirname(ansible_mitogen.__file__))'],
    'importing ansible_mitogen',
  );
  if ('why' in where) return { found: false, name: 'mitogen', why: where.why };
  const [mitogenVersion, pkgDir] = where.out.split('\n') as [string, string];
  const v = await probe([exe.file, '--version'], `${exe.file} --version`);
  if ('why' in v) return { found: false, name: 'mitogen', why: v.why };
  // Mitogen's documented set-up: its strategy plugins on the path, mitogen_linear as the strategy.
  const extra = [`strategy_plugins = ${path.join(pkgDir, 'plugins', 'strategy')}`, 'strategy = mitogen_linear', ...VENV_ANSIBLE];
  const cfg = derivedAnsibleCfg('mitogen', extra);
  return present({
    name: 'mitogen',
    version: `${v.out.split('\n')[0]} + Mitogen ${mitogenVersion}`,
    how: `bench/ansible/ansible.cfg + strategy = mitogen_linear, strategy_plugins = PEERS/mitogen/.../ansible_mitogen/plugins/strategy, ${VENV_ANSIBLE.join(', ')}`,
    workload: ansibleCmd(exe.file, `ANSIBLE_CONFIG=ansible-mitogen.cfg PEERS/mitogen/bin/ansible-playbook`, cfg),
    check: recapCheck,
  });
}

/** The pyinfra deploy and inventory (bench/pyinfra/) read the same inventory file as the others. */
async function pyinfra(dir: string): Promise<PeerLookup> {
  const exe = venvProgram(dir, 'pyinfra', 'pyinfra');
  if ('why' in exe) return { found: false, name: 'pyinfra', why: exe.why };
  const v = await probe([exe.file, '--version'], `${exe.file} --version`);
  if ('why' in v) return { found: false, name: 'pyinfra', why: v.why };
  const version = v.out.replace(/^pyinfra:\s*/, ''); // "pyinfra: v3.0b0"
  if (!/^v?3\./.test(version)) return { found: false, name: 'pyinfra', why: `${exe.file} is pyinfra ${version}; bench/pyinfra/deploy.py is written for pyinfra 3` };
  const deploy = path.join(ANSIBLE_DIR, '..', 'pyinfra');
  return present({
    name: 'pyinfra',
    version: `pyinfra ${version}`,
    how: '`-y` (no interactive change-detection prompt), bench/pyinfra/deploy.py',
    workload: (inventory, forks) => ({
      label: `VPHA_BENCH_INVENTORY=INV PEERS/pyinfra/bin/pyinfra -y --parallel ${forks} bench/pyinfra/inventory.py bench/pyinfra/deploy.py`,
      argv: [exe.file, '-y', '--parallel', String(forks), path.join(deploy, 'inventory.py'), path.join(deploy, 'deploy.py')],
      env: { VPHA_BENCH_INVENTORY: inventory, ...ANSIBLE_LOCALE },
    }),
    check: pyinfraCheck,
  });
}

const FINDERS: Record<PeerName, (dir: string) => Promise<PeerLookup>> = {
  ansible: debianAnsible,
  'ansible-core': newestAnsibleCore,
  mitogen,
  pyinfra,
};

/** Each named peer, found (in `dir`, or Debian's ansible) or missing with the reason, in the order asked. */
export async function findPeers(names: readonly PeerName[], dir = PEERS_DIR): Promise<PeerLookup[]> {
  return Promise.all(names.map((n) => FINDERS[n](dir)));
}

