// main() in-process on fake hosts, for the safety specs: what a user sees (stdout, stderr, exit code)
// and whether any host was touched at all.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main, type CliIO } from '../../engine/cli';
import type { Playbook } from '../../engine/dsl';
import type { HostEntry } from '../../engine/inventory/types';
import type { HostName } from '../../engine/types';
import { FakeConnection } from './fake-connection';

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** Every fake host main() asked for (none when nothing was touched). */
  readonly hosts: ReadonlyMap<string, FakeConnection>;
}

export interface CliRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Script a host before main() gets it; default: a host that answers nothing. */
  readonly host?: (entry: HostEntry) => FakeConnection;
}

export async function runMain(pb: Playbook, argv: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const hosts = new Map<string, FakeConnection>();
  const io: CliIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: opts.env ?? {},
    isTTY: false,
    connect: (entry) => {
      const c = opts.host ? opts.host(entry) : new FakeConnection(entry.name as HostName);
      hosts.set(entry.name, c);
      return c;
    },
  };
  const code = await main(pb, argv, io);
  return { code, out, err, hosts };
}

/** Operations the fake hosts saw, over all hosts. */
export function opCount(run: CliRun): number {
  return [...run.hosts.values()].reduce((n, h) => n + h.ops.length, 0);
}

const made: string[] = [];

/** A fresh directory holding `files` (relative path -> content); removed by removeTempDirs(). */
export function tempDir(files: Readonly<Record<string, string>>, prefix = 'vpha-safety-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The secrets the site inventory below carries: each must stay out of argv, env and output. */
export const SITE_SECRETS = {
  hacluster_password: 'Hacl-s3cret-9f2e1',
  mariadb_replicator_password: 'Repl-s3cret-7c4d2',
  vprotect_admin_password: 'Admn-s3cret-1a8b3',
} as const;

export const SITE_HOSTS_YML = [
  'all:',
  '  children:',
  '    cluster:',
  '      hosts:',
  '        vprotect1: {ansible_host: 198.18.0.11}',
  '        vprotect2: {ansible_host: 198.18.0.12}',
  '',
].join('\n');

/** A valid group_vars/all.yml for playbooks/site.ts (the lab's settings, storage off). */
export const SITE_GROUP_VARS: Readonly<Record<string, unknown>> = {
  cluster_name: 'vprotect',
  preferred_node: 'vprotect1',
  cluster_vip: '198.18.0.100',
  cluster_vip_cidr_netmask: 24,
  cluster_vip_nic: 'host0',
  ping_gateway: '198.18.0.1',
  pacemaker_destroy_foreign_cluster: true,
  drbd_enabled: false,
  vdo_enabled: false,
  ...SITE_SECRETS,
};
