// A vProtect pair built by hand on the lab, as a user who followed the how-to did: its commands, translated only
// where Debian 12 and pcs 0.11 force it (Debian's default corosync.conf destroyed first, `pcs host auth`,
// positional `cluster setup`, the [mysqld] lines in Debian's 50-server.cnf with its bind-address opened, the
// dump copied under the name it was written with). No DRBD: the lab kernel has none. Rows are written on both
// sides afterwards, through replication, so a spec can prove every one of them survives what follows.
import type { Connection } from '../../engine/types';
import { sh } from '../../engine/shell';
import { sqlString } from '../../modules/mysql/sql';
import { BRIDGE_IP, VIP, type LabHost } from '../../lab/config';
import type { LabHandle } from './lab';

/** The how-to's own names and secrets (the inventory's vault holds other passwords: adoption must cope). */
export const HOWTO = {
  cluster: 'mycluster',
  hacluster: 'hacluster-by-hand',
  replicator: 'replicator',
  replicatorPassword: 'R3pLic4ti0N',
  serverCnf: '/etc/mysql/mariadb.conf.d/50-server.cnf',
} as const;

/** One row a spec wrote, and where. */
export interface HandRow {
  readonly node: string;
  readonly note: string;
}

export interface HandBuiltPair {
  readonly nodes: readonly [Connection, Connection];
  readonly hosts: readonly [LabHost, LabHost];
  /** Every row written so far, in the order written (the spec's own table, `hand_rows`). */
  readonly rows: HandRow[];
}

export async function run(c: Connection, cmd: string, stdin?: string): Promise<string> {
  const r = await c.exec(cmd, stdin === undefined ? {} : { stdin });
  if (r.code !== 0) throw new Error(`${c.host}: ${cmd.split('\n')[0]} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return r.stdout;
}

export const sql = (c: Connection, statements: string, db = ''): Promise<string> => run(c, `mysql -N -B ${db}`, statements + '\n');

export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, seconds = 60): Promise<T> {
  let last = await probe();
  for (let i = 0; i < seconds * 2 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 500));
    last = await probe();
  }
  return last;
}

/** SHOW MASTER STATUS as the how-to reads it: "file<TAB>position". */
async function masterStatus(c: Connection): Promise<{ file: string; pos: number }> {
  const [file, pos] = (await sql(c, 'SHOW MASTER STATUS')).trim().split('\t');
  if (!file || !pos) throw new Error(`${c.host}: binary logging is off (SHOW MASTER STATUS is empty)`);
  return { file, pos: Number(pos) };
}

/** The how-to's "In [mysqld] section add lines", where a Debian admin finds [mysqld]; bind-address opened for the peer. */
async function editServerCnf(c: Connection, serverId: number): Promise<void> {
  const text = await run(c, sh`cat ${HOWTO.serverCnf}`);
  const edited = text
    .replace(/^bind-address\s*=\s*127\.0\.0\.1$/m, 'bind-address            = 0.0.0.0')
    .replace(/^\[mysqld\]$/m, `[mysqld]\nlog-bin\nserver_id=${serverId}\nreplicate-do-db=vprotect`);
  if (edited === text) throw new Error(`${c.host}: ${HOWTO.serverCnf} has no [mysqld] section to edit`);
  await c.put(HOWTO.serverCnf, edited, { mode: 0o644 });
}

/** Pacemaker as the how-to sets it up: "Corosync configuration" to "Set node preference". */
async function handBuiltCluster(one: Connection, two: Connection, hosts: readonly [LabHost, LabHost]): Promise<void> {
  for (const c of [one, two]) {
    await run(c, 'systemctl disable vprotect-server vprotect-node mariadb');
    await run(c, 'systemctl enable pcsd.service && systemctl start pcsd.service');
    await run(c, 'chpasswd', `hacluster:${HOWTO.hacluster}\n`);
    // Debian forces this: its default corosync.conf (cluster "debian") makes `pcs host auth` save nothing.
    await run(c, 'pcs cluster destroy --force');
  }
  const [h1, h2] = hosts;
  await run(one, sh`pcs host auth ${h1.name} addr=${h1.ip} ${h2.name} addr=${h2.ip} -u hacluster`, `${HOWTO.hacluster}\n`);
  await run(one, sh`pcs cluster setup ${HOWTO.cluster} ${h1.name} addr=${h1.ip} ${h2.name} addr=${h2.ip}`);
  await run(one, 'pcs cluster start --all --wait=120 && pcs cluster enable --all');
  await run(one, 'pcs property set no-quorum-policy=ignore');
  await run(one, 'pcs resource defaults failure-timeout=30s');
  await run(one, 'pcs resource defaults migration-threshold=3');
  await run(one, 'pcs property set stonith-enabled=false && crm_verify -L');
  await run(one, sh`pcs resource create Failover_IP ocf:heartbeat:IPaddr2 ip=${VIP} cidr_netmask=24 op monitor interval=30s`);
  await run(one, sh`pcs resource create ping ocf:pacemaker:ping dampen=5s multiplier=1000 host_list=${BRIDGE_IP} clone`);
  await run(one, 'pcs constraint location Failover_IP rule score=-INFINITY pingd lt 1 or not_defined pingd');
  await run(one, 'pcs resource create vProtect-node systemd:vprotect-node op monitor timeout=300s on-fail=stop --group vProtect-group');
  await run(
    one,
    'pcs resource create vProtect-server service:vprotect-server op start on-fail=stop timeout=300s op stop timeout=300s on-fail=stop ' +
      'op monitor timeout=300s on-fail=stop --group vProtect-group',
  );
  await run(one, 'pcs constraint colocation add Failover_IP with vProtect-group');
  await run(one, sh`pcs constraint location Failover_IP prefers ${h1.name}=INFINITY`);
  await run(one, sh`pcs constraint location vProtect-group prefers ${h1.name}=INFINITY`);
  // "Make sure that our node is pointed to a localhost address", then the license and node identity to the peer
  // (the how-to's scp lines name no destination: the same paths on vprotect2).
  await run(one, sh`vprotect node -e ${h1.name} admin http://127.0.0.1:8080/api`, 'admin-by-hand\n');
  for (const f of ['/opt/vprotect/.session.properties', '/opt/vprotect/license.key']) {
    const content = await one.get(f);
    if (content) await two.put(f, content, { mode: 0o600 });
  }
}

/** "MariaDB replication", step by step, both ways (the dump copied under the name it was written with). */
async function handBuiltReplication(one: Connection, two: Connection, hosts: readonly [LabHost, LabHost]): Promise<void> {
  const [h1, h2] = hosts;
  const replicator = `'${HOWTO.replicator}'@'%'`;
  const user = `CREATE USER ${replicator} IDENTIFIED BY '${HOWTO.replicatorPassword}';\nGRANT REPLICATION SLAVE ON *.* TO ${replicator};\nFLUSH PRIVILEGES;`;
  await run(one, 'systemctl stop vprotect-server vprotect-node mariadb');
  await editServerCnf(one, 1);
  await run(one, 'systemctl start mariadb');
  await sql(one, user);
  const p1 = await masterStatus(one);
  await run(one, 'mysqldump -u root vprotect > /tmp/vprotect.sql');
  await two.put('/tmp/vprotect.sql', await run(one, 'cat /tmp/vprotect.sql'), { mode: 0o600 });

  await run(two, 'systemctl stop vprotect-server vprotect-node mariadb');
  await editServerCnf(two, 2);
  await run(two, 'systemctl start mariadb');
  await run(two, 'mysql -u root vprotect < /tmp/vprotect.sql');
  await sql(two, user);
  await sql(
    two,
    `STOP SLAVE;\nCHANGE MASTER TO MASTER_HOST = '${h1.ip}', MASTER_USER = '${HOWTO.replicator}', MASTER_PASSWORD = '${HOWTO.replicatorPassword}', ` +
      `MASTER_LOG_FILE = '${p1.file}', MASTER_LOG_POS = ${p1.pos};\nSTART SLAVE;`,
  );
  const p2 = await masterStatus(two);
  await sql(
    one,
    `STOP SLAVE;\nCHANGE MASTER TO MASTER_HOST = '${h2.ip}', MASTER_USER = '${HOWTO.replicator}', MASTER_PASSWORD = '${HOWTO.replicatorPassword}', ` +
      `MASTER_LOG_FILE = '${p2.file}', MASTER_LOG_POS = ${p2.pos};\nSTART SLAVE;`,
  );
  for (const c of [one, two]) {
    const ok = await eventually(() => replicaThreads(c), (s) => s === 'Yes Yes');
    if (ok !== 'Yes Yes') throw new Error(`${c.host}: the hand-built replica does not run (IO SQL: ${ok})`);
  }
  // The services were stopped under pacemaker's feet, as the how-to does: its failures are cleared by hand.
  await run(one, 'pcs resource cleanup');
}

/** "Slave_IO_Running Slave_SQL_Running" ("Yes Yes" when replicating). */
export async function replicaThreads(c: Connection): Promise<string> {
  const status = await run(c, "mysql -e 'SHOW SLAVE STATUS\\G'");
  const field = (name: string): string => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(status)?.[1]?.trim() ?? 'none';
  return `${field('Slave_IO_Running')} ${field('Slave_SQL_Running')}`;
}

/** A row written on `node` into the spec's table, waited for on the other node. */
export async function writeRow(pair: HandBuiltPair, node: 0 | 1, note: string): Promise<void> {
  const c = pair.nodes[node];
  await sql(c, `INSERT INTO hand_rows (node, note) VALUES (${sqlString(c.host)}, ${sqlString(note)})`, 'vprotect');
  pair.rows.push({ node: c.host, note });
}

/** The rows of the spec's table on one node, as "node note" lines sorted. */
export async function rowsOn(c: Connection): Promise<string[]> {
  const out = await sql(c, 'SELECT node, note FROM hand_rows ORDER BY node, note', 'vprotect');
  return out.split('\n').filter(Boolean).sort();
}

export const expectedRows = (pair: HandBuiltPair): string[] => pair.rows.map((r) => `${r.node}\t${r.note}`).sort();

/** Wait until both nodes hold exactly the rows written so far (replication both ways). */
export async function bothHoldAll(pair: HandBuiltPair, seconds = 60): Promise<[string[], string[]]> {
  const want = JSON.stringify(expectedRows(pair));
  const on = await Promise.all(pair.nodes.map((c) => eventually(() => rowsOn(c), (r) => JSON.stringify(r) === want, seconds)));
  return [on[0]!, on[1]!];
}

/**
 * Build the pair by hand on two freshly renewed lab hosts, then write rows on both sides (each replicated to
 * the other) into a table of the spec's own plus a row in the image's vProtect table.
 */
export async function buildByHand(lab: LabHandle): Promise<HandBuiltPair> {
  const hosts = [lab.hosts[0]!, lab.hosts[1]!] as const;
  const nodes = [lab.connect(hosts[0].name), lab.connect(hosts[1].name)] as const;
  await handBuiltCluster(nodes[0], nodes[1], hosts);
  await handBuiltReplication(nodes[0], nodes[1], hosts);
  const pair: HandBuiltPair = { nodes, hosts, rows: [] };
  await sql(nodes[0], 'CREATE TABLE hand_rows (id INT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(20) NOT NULL, note VARCHAR(80) NOT NULL)', 'vprotect');
  await eventually(() => sql(nodes[1], "SHOW TABLES LIKE 'hand_rows'", 'vprotect'), (s) => s.includes('hand_rows'));
  await writeRow(pair, 0, 'by hand on the first node');
  await bothHoldAll(pair);
  await writeRow(pair, 1, 'by hand on the second node');
  await sql(nodes[1], "INSERT INTO tasks (name) VALUES ('written by hand on the second node')", 'vprotect');
  await bothHoldAll(pair);
  return pair;
}
