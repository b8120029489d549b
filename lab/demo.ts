// `npm run demo`: the main job in one command. Brings up the two-node lab (the storage tier, with real DRBD,
// where this machine can run User-Mode Linux; else the nspawn tier, saying why), deploys the whole HA stack
// with playbooks/site.ts, shows the cluster, DRBD, replication and registration working, writes a file on
// /vprotect_data, then fails over and back with playbooks/failover.ts while showing which node answers on
// the floating IP and that the file and its checksum are the same on the other node.
import * as path from 'node:path';
import { $ } from 'zx';
import type { Connection, HostName } from '../engine/types';
import { openConnection } from '../engine/connection/index';
import { hostVars } from './inventory-file';
import { CLUSTER_GROUP, KNOWN_HOSTS, REPO_ROOT, STANDIN_PORT, VIP, labHosts } from './config';
import { up } from './lab';
import { ensureControllerTools } from './controller-tools';
import { TIER_ENV, parseTier, storageTierUnavailable, type LabTier } from './tiers';
import { LAB_VAULT_PASSWORD_FILE, ensureLabSecrets } from './secrets';
import { writeVipKnownHosts } from './vip';

const INVENTORY = 'inventory/lab';
const TS_NODE = path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node');
const hosts = labHosts(2);

const STEPS = 7;
function step(n: number, title: string): void {
  process.stdout.write(`\n\x1b[1m==> ${n}/${STEPS} ${title}\x1b[0m\n`);
}

/** $VPHALAB_TIER when set; else storage where UML runs here, else nspawn (and why). */
async function pickTier(): Promise<LabTier> {
  const env = process.env[TIER_ENV];
  if (env) return parseTier(env);
  const why = await storageTierUnavailable();
  if (!why) return 'storage';
  process.stdout.write(`the storage tier cannot run here (${why}): using the nspawn tier, without DRBD\n`);
  return 'nspawn';
}

const DATA_FILE = '/vprotect_data/demo-file.bin';

/** The data file as the node holding /vprotect_data sees it: its checksum, or why there is none. */
async function showData(conn: Connection): Promise<void> {
  await show(conn, 'the data filesystem', 'findmnt /vprotect_data; drbdadm status replicate');
  await show(conn, `${DATA_FILE} read here`, `ls -l ${DATA_FILE} && sha256sum ${DATA_FILE}`);
}

/** A playbook run as a user would type it; its listr2 view goes straight to this terminal. */
async function playbook(file: string, ...args: string[]): Promise<void> {
  const argv = [file, '-i', INVENTORY, '--vault-password-file', LAB_VAULT_PASSWORD_FILE, ...args];
  process.stdout.write(`$ npx ts-node ${argv.join(' ')}\n`);
  // The project's own ts-node, as `npx ts-node` finds it (without npx's spinner on the terminal).
  await $({ cwd: REPO_ROOT, stdio: 'inherit', verbose: false })`${TS_NODE} ${argv}`;
}

function connect(name: string, address = hosts.find((h) => h.name === name)?.ip ?? name, knownHostsFile = KNOWN_HOSTS): Connection {
  const host = hosts.find((h) => h.name === name) ?? { name, ip: address };
  return openConnection({ name: name as HostName, groups: ['all', CLUSTER_GROUP], vars: { ...hostVars(host), ansible_host: address, ansible_ssh_known_hosts_file: knownHostsFile } }, {});
}

async function show(conn: Connection, title: string, command: string): Promise<string> {
  const r = await conn.exec(command);
  process.stdout.write(`--- ${title} (${conn.host})\n${(r.stdout + r.stderr).trimEnd()}\n`);
  return r.stdout;
}

/** A service that pacemaker just started may need a moment before it accepts connections. */
async function retry<T>(what: () => Promise<T>, seconds = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (e) {
      if (i >= seconds) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Who answers on the floating IP: over SSH (`uname -n`) and over the vProtect API (its hostname field). */
async function whoHasTheVip(): Promise<void> {
  const vip = connect('floating-ip', VIP, writeVipKnownHosts());
  try {
    const ssh = (await vip.exec('uname -n')).stdout.trim();
    const api = await retry(async () => (await (await fetch(`http://${VIP}:${STANDIN_PORT}/api`)).json()) as { hostname?: string; version?: string });
    process.stdout.write(`floating IP ${VIP}: ssh answers as ${ssh}; http://${VIP}:${STANDIN_PORT}/api served by ${api.hostname} (vProtect stand-in ${api.version})\n`);
  } finally {
    await vip.close();
  }
}

async function main(): Promise<void> {
  await ensureControllerTools(); // on a fresh machine this brings linux.uml, and with it the storage tier
  const tier = await pickTier();
  step(1, `Start the lab: two ${tier === 'storage' ? 'User-Mode Linux hosts (own kernel, real DRBD)' : 'systemd-nspawn hosts'} on 198.18.0.0/24`);
  await up(2, tier);
  await ensureLabSecrets();
  const storage = tier === 'storage';

  step(2, 'Deploy the HA stack: playbooks/site.ts');
  await playbook('playbooks/site.ts');

  const conns = hosts.map((h) => connect(h.name));
  try {
    step(3, 'Cluster status');
    await show(conns[0]!, 'pcs status', 'pcs status');

    step(4, storage ? 'DRBD under /vprotect_data: a file written through the active node' : 'DRBD: not on this tier (no DRBD module in the shared kernel)');
    if (storage) {
      await show(conns[0]!, 'drbdadm status (both UpToDate, Primary here)', 'drbdadm status replicate');
      await show(conns[0]!, 'write a file on the replicated filesystem', `head -c 16M /dev/urandom > ${DATA_FILE} && sync ${DATA_FILE} && sha256sum ${DATA_FILE}`);
      await showData(conns[0]!);
    }

    step(5, 'MariaDB master<->master replication');
    for (const c of conns) {
      await show(c, 'replica state', "mysql -e 'SHOW SLAVE STATUS\\G' | grep -E ' (Master_Host|Slave_IO_Running|Slave_SQL_Running|Seconds_Behind_Master|Last_Error):'");
    }
    await show(conns[0]!, 'probe rows written by each node, read here', 'mysql -t -e "SELECT * FROM vprotect.ha_replication_check"');

    step(6, 'vProtect node registration');
    await show(conns[0]!, 'vprotect node -l', 'vprotect node -l');
    await whoHasTheVip();

    step(7, 'Fail over and back: playbooks/failover.ts');
    await playbook('playbooks/failover.ts', '--tags', 'failover');
    await whoHasTheVip();
    await show(conns[1]!, 'pcs status resources', 'pcs status resources');
    if (storage) await showData(conns[1]!);
    await playbook('playbooks/failover.ts', '--tags', 'failback');
    await whoHasTheVip();
    if (storage) await showData(conns[0]!);
    process.stdout.write('\nDone. The lab stays up: `npm run lab -- status`, `npm run lab -- down`.\n');
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
