// The recovery benchmark's cluster: the storage tier up (brought up only when it is not, and then taken down at
// the end), site.ts deployed unless it is, and the wait before each scenario until the preferred node holds
// everything with DRBD in sync and the API answering there.
import { newToken } from '../engine/connection/framing';
import { loadInventory } from '../engine/inventory/load';
import type { Connection } from '../engine/types';
import { DEFAULT_HOSTS, KEEP_ENV, labHosts, type LabHost } from '../lab/config';
import { status } from '../lab/lab';
import { sleep } from '../lab/proc';
import { ensureLabSecrets } from '../lab/secrets';
import { currentTier, storageTierUnavailable } from '../lab/tiers';
import { otherLabUsers, unregisterLabUser } from '../lab/users';
import { apiOnVip } from '../lab/vip-api';
import { site } from '../playbooks/site';
import { closeLabConnections, keepLab, startLab, stopLabIfStarted, type LabHandle } from '../spec/support/lab';
import { runPlaybook, slowest, withStatus } from '../spec/support/playbook-run';
import { progress } from './child';
import { CLUSTER_PROBE, DRBD_RESOURCE, bothUpToDate, isPrimary, nodeProbe, readClusterView, readNodeView } from './recovery-probe';
import { readSettings, settingsProbe, type Settings } from './recovery-settings';

export interface RecoveryLab {
  readonly lab: LabHandle;
  /** Holds the resources when both nodes are up (inventory/lab's preferred_node). */
  readonly preferred: LabHost;
  readonly other: LabHost;
  /** This run brought the storage tier up, so it takes it down at the end. */
  readonly startedHere: boolean;
}

/** Settling after a round: a resync and pacemaker's moves back take a minute or two on UML hosts. */
const SETTLE_MS = 10 * 60_000;
/** Stale failed actions can pin resources: cleaned once when a settle has waited this long. */
const CLEANUP_AFTER_MS = 2 * 60_000;

async function exec(conn: Connection, command: string): Promise<string> {
  const r = await conn.exec(command);
  if (r.code !== 0) throw new Error(`${conn.host}: ${command.split('\n')[0]} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
  return r.stdout;
}

/** Set once this run starts bringing the storage tier up: a signal handler then takes it down again. */
let broughtUp = false;
export const broughtUpByThisRun = (): boolean => broughtUp;

/** The storage tier with the default hosts, up; refused while other runs use the lab (a fail-over would hit them). */
export async function storageLab(): Promise<RecoveryLab> {
  const why = await storageTierUnavailable();
  if (why) throw new Error(`the storage tier cannot run here: ${why}`);
  const others = otherLabUsers();
  if (others.length) throw new Error(`the lab is in use by other runs (pids ${others.join(', ')}): fail-overs and power cuts would disturb them; run this when they are done`);
  const names = labHosts(DEFAULT_HOSTS).map((h) => h.name);
  const rows = await status();
  const wasUp = (await currentTier()) === 'storage' && names.every((n) => rows.some((r) => r.name === n && r.state === 'running' && r.sshd));
  progress(wasUp ? 'the storage tier is up: using it as it is' : 'bringing the storage tier up (`npm run lab -- up --tier storage`; a first run builds its images)');
  broughtUp = !wasUp;
  try {
    // up() leaves running hosts alone, and (re)writes inventory/lab/hosts.yml for this checkout.
    const lab = await startLab('storage');
    await ensureLabSecrets();
    const inv = await loadInventory(lab.inventoryDir, { deferSecrets: true });
    const wanted = String([...inv.hosts.values()][0]?.vars.preferred_node ?? lab.hosts[0]!.name);
    const preferred = lab.hosts.find((h) => h.name === wanted);
    const other = lab.hosts.find((h) => h.name !== wanted);
    if (!preferred || !other) throw new Error(`preferred_node ${wanted} is not one of the lab hosts ${lab.hosts.map((h) => h.name).join(', ')}`);
    return { lab, preferred, other, startedHere: !wasUp };
  } catch (e) {
    // Half way up (or up with an inventory this run cannot use): leave the lab as it was found.
    await release(!wasUp);
    throw e;
  }
}

/** site.ts unless the cluster already runs with DRBD and vProtect on both nodes. */
export async function ensureDeployed(l: RecoveryLab): Promise<void> {
  const probes = await Promise.all(
    [l.preferred, l.other].map(async (h) => {
      const conn = l.lab.connect(h.name);
      try {
        return (await conn.exec(`systemctl is-active --quiet corosync pacemaker && drbdadm status ${DRBD_RESOURCE} >/dev/null && crm_mon --one-shot | grep -q vProtect-server`)).code === 0;
      } finally {
        await conn.close();
      }
    }),
  );
  if (probes.every(Boolean)) return progress('the cluster is deployed: not running site.ts');
  progress('deploying playbooks/site.ts on the lab (several minutes on UML hosts)');
  const r = await runPlaybook(site, l.lab.inventoryDir);
  if (r.code !== 0) throw new Error(`site.ts failed (exit ${r.code}): ${[...r.errors, ...withStatus(r, 'failed'), ...withStatus(r, 'unreachable')].join('; ').slice(0, 2000)}`);
  progress(`site.ts deployed; its slowest tasks: ${slowest(r, 8).join('; ')}`);
}

/** What is not as a scenario wants it yet, or '' when the preferred node holds everything and is in sync. */
async function unsettled(l: RecoveryLab, conn: Connection): Promise<string> {
  const p = l.preferred.name;
  const cluster = readClusterView(await exec(conn, CLUSTER_PROBE));
  const token = newToken();
  const node = readNodeView(await exec(conn, nodeProbe(token)), token);
  const api = await apiOnVip();
  const problems = [
    ...cluster.nodes.filter((n) => !n.online || n.standby).map((n) => `${n.name} ${n.online ? 'in standby' : 'offline'}`),
    ...(['group', 'storage', 'vip'] as const).filter((k) => cluster[k].join() !== p).map((k) => `${k} on ${cluster[k].join('+') || 'no node'}`),
    ...(isPrimary(node?.drbd) ? [] : [`DRBD not Primary on ${p}`]),
    ...(bothUpToDate(node?.drbd) ? [] : ['DRBD not UpToDate/UpToDate']),
    ...(api === p ? [] : [`the API answers from ${api || 'no node'}`]),
  ];
  return problems.join(', ');
}

/** Until the preferred node holds everything, DRBD in sync, the API answering from it (a scenario's start). */
export async function settle(l: RecoveryLab): Promise<void> {
  const conn = l.lab.connect(l.preferred.name);
  const t0 = Date.now();
  let cleaned = false;
  let last = 'not read yet';
  try {
    while (Date.now() - t0 < SETTLE_MS) {
      last = await unsettled(l, conn).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (last === '') return;
      if (!cleaned && Date.now() - t0 > CLEANUP_AFTER_MS) {
        progress(`  still not settled after ${CLEANUP_AFTER_MS / 1000} s (${last}): pcs resource cleanup`);
        await conn.exec('pcs resource cleanup');
        cleaned = true;
      }
      await sleep(2000);
    }
    throw new Error(`the cluster did not settle on ${l.preferred.name} within ${SETTLE_MS / 1000} s: ${last}`);
  } finally {
    await conn.close();
  }
}

/** After a failed scenario: the cut node booted, both nodes out of standby, then settled. */
export async function recover(l: RecoveryLab): Promise<void> {
  progress('recovering the cluster before the next scenario');
  for (const row of await status()) {
    if (row.kind === 'full' && row.state !== 'running') await l.lab.restart(row.name);
  }
  const conn = l.lab.connect(l.preferred.name);
  try {
    for (const h of [l.preferred, l.other]) await conn.exec(`pcs node unstandby ${h.name}`);
  } finally {
    await conn.close();
  }
  await settle(l);
}

export async function clusterSettings(l: RecoveryLab): Promise<Settings> {
  const conn = l.lab.connect(l.preferred.name);
  try {
    const token = newToken();
    return readSettings((await conn.exec(settingsProbe(token))).stdout, token);
  } finally {
    await conn.close();
  }
}

/** The lab as it was found: taken down when this run brought it up (unless VPHALAB_KEEP=1 or others use it). */
export async function releaseRecoveryLab(l: RecoveryLab): Promise<string> {
  return release(l.startedHere);
}

async function release(startedHere: boolean): Promise<string> {
  if (!startedHere) {
    await closeLabConnections();
    unregisterLabUser();
    return 'the storage tier was up already: left up as it was';
  }
  const others = otherLabUsers();
  const kept = keepLab();
  await stopLabIfStarted(); // closes the connections, unregisters, and takes the lab down unless kept or shared
  if (kept) return `brought up by this run, left up (${KEEP_ENV}=1)`;
  return others.length ? `brought up by this run, left up: other runs use it (pids ${others.join(', ')})` : 'brought up by this run and taken down';
}
