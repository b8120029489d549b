// The lab hosts a benchmark needs, shared politely: hosts already up are used as they are, the
// benchmark registers as a lab user (so a test run ending meanwhile does not take the lab down),
// and it writes its own inventory files listing exactly the hosts it measures.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KEEP_ENV, REPO_ROOT, labHosts, lightHosts, type LabHost } from '../lab/config';
import { inventoryYaml } from '../lab/inventory-file';
import { downLight, status, type HostStatus } from '../lab/lab';
import { must } from '../lab/proc';
import { progress } from './child';
import { otherLabUsers, registerLabUser, unregisterLabUser } from '../lab/users';

/** The benchmark's inventories (copies of the lab's, without the team's group_vars and vault). */
export const BENCH_INVENTORY_DIR = '/tmp/vpha-bench-controller';

export interface BenchHosts {
  readonly hosts: readonly LabHost[];
  /** The inventory file both the engine and ansible-playbook get with -i. */
  readonly inventory: string;
  readonly group: string;
}

const started = { full: false, light: false };

const up = (rows: readonly HostStatus[], names: readonly string[]): boolean =>
  names.every((n) => rows.some((r) => r.name === n && r.state === 'running' && r.sshd));

async function labCli(args: readonly string[]): Promise<void> {
  progress(`npm run lab -- ${args.join(' ')}`);
  await must(['npx', 'ts-node', path.join(REPO_ROOT, 'lab', 'cli.ts'), ...args], { cwd: REPO_ROOT });
}

async function writeBenchInventory(name: string, group: string, hosts: readonly LabHost[]): Promise<string> {
  const file = path.join(BENCH_INVENTORY_DIR, name, 'hosts.yml');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, inventoryYaml({ [group]: { hosts } }, `vpha benchmark: ${hosts.length} lab hosts`));
  return file;
}

/** vprotect1..N running (full hosts); `lab up` only when some are not, never fewer hosts than are on disk. */
export async function fullHosts(n = 2): Promise<BenchHosts> {
  registerLabUser();
  const hosts = labHosts(n);
  const rows = await status();
  if (!up(rows, hosts.map((h) => h.name))) {
    const onDisk = rows.filter((r) => r.kind === 'full').length;
    await labCli(['up', String(Math.max(n, onDisk))]);
    started.full = true;
  }
  return { hosts, group: 'cluster', inventory: await writeBenchInventory(`full${n}`, 'cluster', hosts) };
}

/** light1..N running (sshd-only hosts); `lab up --light` only when some are not. */
export async function lightHostsUp(n: number): Promise<BenchHosts> {
  registerLabUser();
  const hosts = lightHosts(n);
  const rows = await status();
  if (!up(rows, hosts.map((h) => h.name))) {
    const onDisk = rows.filter((r) => r.kind === 'light').length;
    await labCli(['up', '--light', String(Math.max(n, onDisk))]);
    started.light = true;
  }
  return { hosts, group: 'light', inventory: await writeBenchInventory(`light${n}`, 'light', hosts) };
}

/**
 * At the end: light hosts this benchmark started are stopped when nobody else uses the lab; full
 * hosts are left up (other engineers' specs and demos share them) and the report says so.
 */
export async function releaseLab(): Promise<string> {
  unregisterLabUser();
  const others = otherLabUsers();
  if (process.env[KEEP_ENV]) return `lab left up (${KEEP_ENV} set)`;
  if (started.light && others.length === 0) {
    await downLight();
    return `light hosts stopped (this benchmark started them); full hosts left up${started.full ? ' (started by this benchmark: `npm run lab -- down` when done)' : ''}`;
  }
  if (started.full || started.light) return `lab left up${others.length ? ` (other users: pids ${others.join(', ')})` : ''}: \`npm run lab -- status\``;
  return 'lab hosts were already up; left as they were';
}

/** The first n hosts of a set, with their own inventory file (e.g. a 2-host baseline of the light hosts). */
export async function firstHosts(of: BenchHosts, n: number): Promise<BenchHosts> {
  const hosts = of.hosts.slice(0, n);
  return { hosts, group: of.group, inventory: await writeBenchInventory(`${of.group}${n}`, of.group, hosts) };
}
