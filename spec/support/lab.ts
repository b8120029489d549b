// Integration specs' access to the local lab cluster: started once per test run (whoever asks first),
// torn down by the root hook in spec/support/lab-hooks.ts unless VPHALAB_KEEP=1.
//
//   before(async function () { this.timeout(LAB_START_TIMEOUT_MS); lab = await startLab(); });
//   const conn = lab.connect('vprotect1');   // real SSH, the lab key and known_hosts
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { openConnection, type ConnectionOptions } from '../../engine/connection/index';
import type { HostEntry } from '../../engine/inventory/types';
import type { Connection, HostName } from '../../engine/types';
import { DEFAULT_HOSTS, INVENTORY_FILE, KEEP_ENV, KNOWN_HOSTS, LOCK_FILE, REPO_ROOT, labHosts, type LabHost } from '../../lab/config';
import { hostVars } from '../../lab/inventory-file';
import { crash, down, heal, partition, start, up } from '../../lab/lab';
import { say } from '../../lab/proc';
import { currentTier, type LabTier } from '../../lab/tiers';
import { otherLabUsers, registerLabUser, tierSwitchRefusal, unregisterLabUser } from '../../lab/users';

/** A first run builds the rootfs (about a minute here, more on a slow mirror); later runs take seconds. */
export const LAB_START_TIMEOUT_MS = 15 * 60_000;

export interface LabHandle {
  /** Pass as `-i` to a playbook: holds hosts.yml (group cluster) and the team's group_vars/. */
  readonly inventoryDir: string;
  readonly hosts: readonly LabHost[];
  /** A lazy SSH connection (engine/connection) to a lab host; closed by the teardown hook. */
  connect(name: string, opts?: ConnectionOptions): Connection;
  /** SIGKILL the host's PID 1; resolves when it is down. It stays down until restart(). */
  crash(name: string): Promise<void>;
  /** Boot a crashed host again on the disk it had; resolves when its sshd answers. */
  restart(name: string): Promise<void>;
  /** Cut the link between the hosts (lab/lab.ts partition: bridge ports isolated); the controller still reaches each. */
  partition(): Promise<void>;
  /** Restore the link partition() cut. */
  heal(): Promise<void>;
}

let starting: Promise<LabHandle> | undefined;
let startedTier: LabTier | undefined;
const opened: Connection[] = [];

function hostEntry(host: LabHost): HostEntry {
  // The lab's own names: the inventory file written by `up` holds the same ones.
  return { name: host.name as HostName, vars: hostVars(host), groups: ['all', 'cluster'] };
}

function makeHandle(hosts: readonly LabHost[]): LabHandle {
  const byName = (name: string): LabHost => {
    const host = hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no lab host ${name} (have ${hosts.map((h) => h.name).join(', ')})`);
    return host;
  };
  return {
    inventoryDir: path.dirname(INVENTORY_FILE),
    hosts,
    connect(name, opts = {}) {
      const conn = openConnection(hostEntry(byName(name)), { knownHostsFile: KNOWN_HOSTS, ...opts });
      opened.push(conn);
      return conn;
    },
    async crash(name) {
      await crash(byName(name).name);
    },
    async restart(name) {
      await start(byName(name).name);
    },
    partition,
    heal,
  };
}

/**
 * The lab with its default hosts on `tier`, up. Memoized per process and tier; fine when the lab is already up.
 * Asking for the other tier replaces the hosts (the storage specs run after every nspawn spec); refused while
 * another live run uses the lab on its tier.
 */
export function startLab(tier: LabTier = 'nspawn'): Promise<LabHandle> {
  if (!starting || startedTier !== tier) {
    if (!starting) registerLabUser();
    const previous = starting?.catch(() => undefined) ?? Promise.resolve(undefined);
    startedTier = tier;
    starting = previous
      .then(async () => {
        const refusal = tierSwitchRefusal(otherLabUsers(), await currentTier(), tier);
        if (refusal) throw new Error(refusal);
      })
      .then(() => up(DEFAULT_HOSTS, tier))
      .then(() => makeHandle(labHosts(DEFAULT_HOSTS)));
  }
  return starting;
}

export function labWasStarted(): boolean {
  return starting !== undefined;
}

export const keepLab = (): boolean => process.env[KEEP_ENV] === '1';

/** Whether this run should take the lab down: not with VPHALAB_KEEP=1, nor while another test run uses it. */
export function shouldTakeLabDown(): boolean {
  if (keepLab()) return false;
  const others = otherLabUsers();
  if (others.length > 0) say(`leaving the lab up: test run(s) ${others.join(', ')} still use it`);
  return others.length === 0;
}

/** Close the connections handed out; the lab stays as it is (for a run that found it up and leaves it so). */
export async function closeLabConnections(): Promise<void> {
  await Promise.allSettled(opened.splice(0).map((c) => c.close()));
}

/** Close the connections handed out, then take the lab down (see shouldTakeLabDown). */
export async function stopLabIfStarted(): Promise<void> {
  if (!starting) return;
  await closeLabConnections();
  await starting.catch(() => undefined); // an `up` still running must finish before `down`
  starting = undefined;
  startedTier = undefined;
  unregisterLabUser();
  if (shouldTakeLabDown()) await down();
}

/**
 * `lab down` from a signal handler, where the event loop may never get to an async `down`: run as a child,
 * synchronously. A lock this process holds (an `up` cut short) is released first, or the child would wait for it.
 */
export function takeLabDownSync(): void {
  const owner = (() => {
    try {
      return Number(readFileSync(LOCK_FILE, 'utf8').trim());
    } catch {
      return 0;
    }
  })();
  if (owner === process.pid) rmSync(LOCK_FILE, { force: true });
  spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'lab', 'cli.ts'), 'down'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    timeout: 180_000,
  });
}
