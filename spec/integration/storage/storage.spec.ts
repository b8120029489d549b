// The storage tier (User-Mode Linux hosts with their own kernel): the whole HA stack with real DRBD on a real
// block device under /vprotect_data, deployed by site.ts and rerun, failed over by failover.ts, a power
// cut of the active node while a writer appends fsync'd records and the cut node's rejoin, a partition of the
// link between the nodes with the arbiter (one half keeps quorum, the other promotes nothing), and last the same
// partition without it, as the how-to builds the cluster (the split brain it leaves is detected, refused and
// recovered in the test, and site.ts adds the arbiter back), then DRBD as the how-to builds it, adopted live.
// One deployment, shared in order. Pending, with the reason, on a machine that cannot run UML.
import { expect } from 'chai';
import type { Connection } from '../../../engine/types';
import { parseCrmMon, runningOn } from '../../../modules/cluster_status';
import { parseStatusText, peerConnection } from '../../../modules/drbd/status';
import { site } from '../../../playbooks/site';
import { failover } from '../../../playbooks/failover';
import { renew } from '../../../lab/lab';
import { labHost } from '../../../lab/config';
import { RECORDS_FILE, missingRecords, startWriter } from '../../../lab/record-writer';
import { ROWS_TABLE, missingRows, startRowWriter } from '../../../lab/row-writer';
import { apiOnVip } from '../../../lab/vip-api';
import { ensureLabSecrets } from '../../../lab/secrets';
import { storageTierUnavailable } from '../../../lab/tiers';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../../support/lab';
import { changedNothing, messageOf, recapStats, results, runPlaybook, slowest, statusOf, withStatus, type PlaybookRun } from '../../support/playbook-run';
import { upgrade } from '../../../playbooks/upgrade';
import { drillReading } from '../../support/drill-report';
import { status } from '../../../playbooks/status';

async function sh(conn: Connection, cmd: string): Promise<string> {
  const r = await conn.exec(cmd);
  if (r.code !== 0) throw new Error(`${conn.host}: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, seconds: number): Promise<T> {
  const until = Date.now() + seconds * 1000;
  // A host just booted may not have the resource up yet: an error is a "not yet" until the time is up, and
  // the last error is what the test sees if no value ever came.
  let last: { value: T } | { error: unknown } = { error: new Error('no probe ran') };
  for (;;) {
    last = await probe().then((value) => ({ value }), (error: unknown) => ('value' in last ? last : { error }));
    if (('value' in last && ok(last.value)) || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if ('value' in last) return last.value;
  throw last.error;
}

function noFailures(r: PlaybookRun): void {
  expect(r.errors, r.errors.join('\n')).to.deep.equal([]);
  const failures = r.events.filter((e) => e.type === 'result' && (e.status === 'failed' || e.status === 'unreachable'));
  expect(failures, JSON.stringify(failures)).to.deep.equal([]);
  expect(r.code).to.equal(0);
}

const drbdState = (conn: Connection): Promise<string> => sh(conn, 'drbdadm status replicate');
const synced = (s: string): boolean => /role:(Primary|Secondary)/.test(s) && /^\s+disk:UpToDate/m.test(s) && /peer-disk:UpToDate/.test(s);
const mountOf = async (conn: Connection): Promise<string> => (await conn.exec('findmnt -n -o SOURCE,FSTYPE /vprotect_data')).stdout.trim();
/** Both nodes' DRBD and pacemaker state and the DRBD kernel log's tail, for a failure message. */
async function bothSides(...conns: Connection[]): Promise<string> {
  const parts: string[] = [];
  for (const c of conns) {
    const r = await c.exec("drbdadm status replicate; crm_mon --one-shot | sed -n '/Node List/,$p'; journalctl -k --no-pager -o cat | grep -i drbd | tail -n 15");
    parts.push(`${c.host}:\n${r.stdout}${r.stderr}`);
  }
  return parts.join('\n');
}
const sha256 = async (conn: Connection, file: string): Promise<string> => (await sh(conn, `sha256sum ${file}`)).split(' ')[0]!;

/** Records and rows the writers had acknowledged when the power was cut, for the rejoin test. */
let ackedAtCut = 0;
let ackedRowsAtCut = 0;
/** The power-cut rows' ids on a node, one per line. */
const rowIds = (c: Connection): Promise<string> => sh(c, `mysql -N -e 'SELECT id FROM ${ROWS_TABLE} ORDER BY id'`);
/** Both replication threads of a node run (SHOW SLAVE STATUS). */
const replicating = async (c: Connection): Promise<boolean> => {
  const t = await sh(c, 'mysql -e "SHOW SLAVE STATUS\\G"');
  return /Slave_IO_Running: Yes/.test(t) && /Slave_SQL_Running: Yes/.test(t);
};
/** corosync-qdevice's view of the arbiter on a node: `State: Connected` once its vote reaches corosync-qnetd. */
const qdeviceState = async (c: Connection): Promise<string> => /^State:\s+(\S+)/m.exec((await c.exec('corosync-qdevice-tool -s')).stdout)?.[1] ?? 'none';
/** `Quorate: Yes|No` from corosync-quorumtool (it exits non-zero when not quorate: the output is what counts). */
const quorate = async (c: Connection): Promise<string> => /^Quorate:\s+(\S+)/m.exec((await c.exec('corosync-quorumtool -s')).stdout)?.[1] ?? '?';

describe('the storage tier: real DRBD under /vprotect_data, fail-over and a power cut (UML hosts)', function () {
  this.timeout(20 * 60_000);
  let lab: LabHandle;
  let v1: Connection;
  let v2: Connection;

  before(async function () {
    const why = await storageTierUnavailable();
    if (why) {
      console.log(`      pending: the storage tier cannot run here: ${why}`);
      this.skip();
    }
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab('storage');
    await renew(2, 'storage'); // fresh disks, whatever ran before
    await ensureLabSecrets();
    v1 = lab.connect('vprotect1');
    v2 = lab.connect('vprotect2');
  });

  it('create-md refuses a data disk that holds a filesystem: the run stops naming the host, the disk and drbd_force_create_md; the filesystem and its file stay', async () => {
    await sh(v2, 'mkfs.ext4 -q -F /dev/ubdb && mount /dev/ubdb /mnt && echo precious > /mnt/keep && umount /mnt');
    const r = await runPlaybook(site, lab.inventoryDir);
    expect(r.code).to.not.equal(0);
    const md = 'DRBD metadata (refuses a disk that holds data unless drbd_force_create_md)';
    expect(statusOf(r, md, 'vprotect2')).to.equal('failed');
    expect(messageOf(r, md, 'vprotect2')).to.match(
      /^refusing to create DRBD metadata on \/dev\/ubdb \(resource replicate\) on vprotect2: it holds an ext4 .*create-md would destroy it\. Wipe the disk yourself or set drbd_force_create_md: true$/,
    );
    // Both nodes stop there (anyErrorsFatal): nothing cluster-wide ran on vprotect1 alone.
    expect(statusOf(r, 'Bring the resource up, or a live one to its file', 'vprotect1')).to.equal(undefined);
    expect((await sh(v2, 'blkid -o value -s TYPE /dev/ubdb')).trim()).to.equal('ext4');
    expect(await sh(v2, 'mount -o ro /dev/ubdb /mnt && cat /mnt/keep; umount /mnt')).to.equal('precious\n');
    // What the user does once they know the disk is theirs to give: wipefs removes the signatures, dd the rest of
    // the head, which drbdmeta checks too (the 68 KiB guard refuses otherwise).
    await sh(v2, 'wipefs -a -q /dev/ubdb && dd if=/dev/zero of=/dev/ubdb bs=1M count=1 oflag=direct status=none');
  });

  it('site.ts on fresh storage hosts: failed=0', async () => {
    const r = await runPlaybook(site, lab.inventoryDir);
    noFailures(r);
    expect(recapStats(r).vprotect1!.changed).to.be.greaterThan(0);
    console.log(`      slowest tasks:\n${slowest(r, 8).map((l) => `        ${l}`).join('\n')}`);
  });

  it('DRBD Connected and UpToDate on both, Primary on the preferred node only; XFS on /dev/drbd0 mounted there, owned by vprotect; vProtect after its data', async () => {
    const s1 = await eventually(() => drbdState(v1), synced, 120);
    const s2 = await drbdState(v2);
    expect(s1).to.match(/^replicate role:Primary/).and.match(/replication:Established/).and.match(/peer-disk:UpToDate/);
    expect(s2).to.match(/^replicate role:Secondary/).and.match(/^\s+disk:UpToDate/m);
    expect(await mountOf(v1)).to.equal('/dev/drbd0 xfs');
    expect(await mountOf(v2)).to.equal('');
    expect((await sh(v1, 'stat -c %U:%G /vprotect_data')).trim()).to.equal('vprotect:vprotect');
    const state = parseCrmMon(await sh(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(runningOn(state, 'fs_resource')).to.deep.equal(['vprotect1']);
    expect(runningOn(state, 'vProtect-group')).to.deep.equal(['vprotect1']);
    expect(await apiOnVip()).to.equal('vprotect1');
  });

  it('a rerun reports changed=0 and leaves the DRBD metadata, the filesystem and a file on it as they were', async () => {
    await sh(v1, 'head -c 4M /dev/urandom > /vprotect_data/before-rerun.bin && sync /vprotect_data/before-rerun.bin');
    const sum = await sha256(v1, '/vprotect_data/before-rerun.bin');
    const identity = async (): Promise<string[]> => [
      (await sh(v1, 'drbdadm get-gi replicate')).trim(),
      (await sh(v2, 'drbdadm get-gi replicate')).trim(),
      (await sh(v1, 'blkid -o value -s UUID /dev/drbd0')).trim(),
    ];
    const before = await identity();
    const r = await runPlaybook(site, lab.inventoryDir);
    noFailures(r);
    expect(changedNothing(r)).to.deep.equal([]);
    expect(await identity()).to.deep.equal(before);
    expect(await sha256(v1, '/vprotect_data/before-rerun.bin')).to.equal(sum);
  });

  it('mkfs refuses an existing filesystem: naming the host, the device and data_force_mkfs; the data stays', async () => {
    const sum = await sha256(v1, '/vprotect_data/before-rerun.bin');
    const r = await runPlaybook(site, lab.inventoryDir, '--tags', 'drbd', '-e', 'data_fstype=ext4');
    const mkfs = 'Filesystem on the DRBD device (refuses an existing one unless data_force_mkfs)';
    expect(statusOf(r, mkfs, 'vprotect1')).to.equal('failed');
    expect(messageOf(r, mkfs, 'vprotect1')).to.match(
      /^refusing to make ext4 on \/dev\/drbd0 on vprotect1: it holds an xfs .*mkfs would destroy it\. Set data_force_mkfs: true to reformat$/,
    );
    expect(await mountOf(v1)).to.equal('/dev/drbd0 xfs');
    expect(await sha256(v1, '/vprotect_data/before-rerun.bin')).to.equal(sum);
  });

  it('standby fail-over (failover.ts): a file and a MariaDB row written before are on vprotect2, which answers on the floating IP; and back; the drill reports the API\'s downtime and its probe record intact on each', async () => {
    await sh(v1, 'head -c 8M /dev/urandom > /vprotect_data/failover.bin && sync /vprotect_data/failover.bin');
    const sum = await sha256(v1, '/vprotect_data/failover.bin');
    // With the database as the default one, as vProtect uses it: replicate_do_db filters DDL by the default database.
    await sh(v1, `mysql vprotect -e "CREATE TABLE IF NOT EXISTS storage_probe (id INT PRIMARY KEY, note VARCHAR(64)); REPLACE INTO storage_probe VALUES (1, 'before fail-over')"`);

    const over = await runPlaybook(failover, lab.inventoryDir, '--tags', 'failover');
    noFailures(over);
    // The drill's report: the API on the floating IP was down for a while (the services stop on one node and
    // start on the other), and its probe record (a file on /vprotect_data, a row) is intact on vprotect2.
    const overDrill = drillReading(over, 'fail-over', 'vprotect2', true);
    expect(overDrill.seconds, overDrill.msg).to.be.greaterThan(0);
    expect(await mountOf(v2)).to.equal('/dev/drbd0 xfs');
    expect(await mountOf(v1)).to.equal('');
    expect(await sha256(v2, '/vprotect_data/failover.bin')).to.equal(sum);
    expect(await sha256(v2, '/vprotect_data/before-rerun.bin')).to.have.length(64);
    const row = async (): Promise<string> => (await v2.exec('mysql -N -e "SELECT note FROM vprotect.storage_probe WHERE id = 1"')).stdout.trim();
    expect(await eventually(row, (r) => r === 'before fail-over', 30)).to.equal('before fail-over');
    expect(await eventually(apiOnVip, (h) => h === 'vprotect2', 60)).to.equal('vprotect2');
    expect(await drbdState(v2)).to.match(/^replicate role:Primary/);

    const back = await runPlaybook(failover, lab.inventoryDir, '--tags', 'failback');
    noFailures(back);
    // A run of its own: it checks the record the fail-over run wrote (the newest on vprotect2), now on vprotect1.
    const backDrill = drillReading(back, 'fail-back', 'vprotect1', true);
    expect(backDrill.rowId, backDrill.msg).to.equal(overDrill.rowId);
    expect(backDrill.seconds, backDrill.msg).to.be.greaterThan(0);
    console.log(`      ${overDrill.msg}\n      ${backDrill.msg}`);
    expect(await mountOf(v1)).to.equal('/dev/drbd0 xfs');
    expect(await sha256(v1, '/vprotect_data/failover.bin')).to.equal(sum);
    expect(await eventually(apiOnVip, (h) => h === 'vprotect1', 60)).to.equal('vprotect1');
  });

  it('upgrade.ts (rolling, one node at a time) keeps /vprotect_data and the database intact and ends on the preferred node', async () => {
    const sum = await sha256(v1, '/vprotect_data/failover.bin');
    await sh(v1, `mysql vprotect -e "REPLACE INTO storage_probe VALUES (2, 'before the upgrade')"`);
    const version = (c: Connection) => sh(c, "dpkg-query -W -f='${Version}' vprotect-server");
    const r = await runPlaybook(upgrade, lab.inventoryDir);
    noFailures(r);
    expect([await version(v1), await version(v2)]).to.deep.equal(['1.1', '1.1']);
    expect(await mountOf(v1)).to.equal('/dev/drbd0 xfs');
    expect(await sha256(v1, '/vprotect_data/failover.bin')).to.equal(sum);
    expect(await eventually(() => drbdState(v1), synced, 60)).to.match(/^replicate role:Primary/);
    for (const c of [v1, v2]) {
      const notes = async (): Promise<string> => (await c.exec('mysql -N -e "SELECT note FROM vprotect.storage_probe ORDER BY id"')).stdout;
      expect(await eventually(notes, (n) => n === 'before fail-over\nbefore the upgrade\n', 30), c.host).to.equal('before fail-over\nbefore the upgrade\n');
    }
    expect(await eventually(apiOnVip, (h) => h === 'vprotect1', 60)).to.equal('vprotect1');
  });

  it('power cut of the active node: every fsync-acknowledged record and every committed row is on the peer, which serves the API on the floating IP', async () => {
    expect(await mountOf(v1), 'vprotect1 holds /vprotect_data before the cut').to.equal('/dev/drbd0 xfs');
    const writer = startWriter(labHost(1).ip);
    const rows = startRowWriter(labHost(1).ip);
    const t0 = Date.now();
    await eventually(async () => Math.min(writer.acked(), rows.acked()), (n) => n >= 50, 60);
    expect(writer.acked(), 'the writer acknowledged records').to.be.greaterThan(0);
    expect(rows.acked(), 'the row writer acknowledged rows').to.be.greaterThan(0);
    await lab.crash('vprotect1');
    const acked = writer.acked(); // nothing is acknowledged after the kernel is gone
    const ackedRows = rows.acked();
    writer.proc.kill('SIGKILL');
    rows.proc.kill('SIGKILL');

    expect(await eventually(apiOnVip, (h) => h === 'vprotect2', 240), 'the API on the floating IP after the cut').to.equal('vprotect2');
    const lost = missingRecords(acked, await sh(v2, `cat ${RECORDS_FILE}`));
    expect(lost, `acknowledged records missing on vprotect2 (of ${acked})`).to.deep.equal([]);
    // Semi-synchronous replication: each acknowledged row was in vprotect2's relay log before its commit returned;
    // vprotect2 applies what it holds (its SQL thread may still be at it).
    const lostRows = missingRows(ackedRows, await eventually(() => rowIds(v2), (t) => missingRows(ackedRows, t).length === 0, 60));
    expect(lostRows, `committed rows missing on vprotect2 (of ${ackedRows})`).to.deep.equal([]);
    console.log(`      ${acked} acknowledged records and ${ackedRows} committed rows, all on vprotect2; API back on the floating IP ${((Date.now() - t0) / 1000).toFixed(0)} s after the writers started`);
    ackedAtCut = acked;
    ackedRowsAtCut = ackedRows;
  });

  it('the cut node, started again, resyncs to UpToDate/UpToDate and takes its resources back with every acknowledged record; MariaDB replicates both ways again with the same rows on both', async function () {
    this.timeout(15 * 60_000);
    const acked = ackedAtCut;
    await lab.restart('vprotect1');
    v1 = lab.connect('vprotect1'); // the old connection died with the host
    // The preferred node takes its resources back (location INFINITY, as the how-to has it), but only once DRBD
    // has resynced it from vprotect2 and the fence constraint is lifted: it is never promoted on a stale disk.
    const s1 = await eventually(() => drbdState(v1), (s) => synced(s) && /^replicate role:Primary/.test(s), 420);
    const seen = await bothSides(v1, v2);
    expect(s1, `vprotect1 resynced and promoted again after its restart (${seen})`).to.match(/^replicate role:Primary/).and.match(/peer-disk:UpToDate/);
    expect(await drbdState(v2)).to.match(/^replicate role:Secondary/).and.match(/peer-disk:UpToDate/);
    expect(await eventually(apiOnVip, (h) => h === 'vprotect1', 120), 'the API on the floating IP after the failback').to.equal('vprotect1');
    const lostBack = missingRecords(acked, await sh(v1, `cat ${RECORDS_FILE}`));
    expect(lostBack, 'acknowledged records missing on vprotect1 after it took its resources back').to.deep.equal([]);
    // MariaDB: the cut node kept every row it acknowledged (sync_binlog=1: its binary log holds them), both
    // replicas run again without a repair, and the two databases hold the same rows (nothing diverged).
    for (const c of [v1, v2]) expect(await eventually(() => replicating(c), (ok) => ok, 180), `${c.host} replicates its peer after the rejoin`).to.equal(true);
    const same = await eventually(async () => [await rowIds(v1), await rowIds(v2)], ([a, b]) => a === b, 60);
    expect(same[0], 'the power-cut rows on vprotect1 and on vprotect2').to.equal(same[1]);
    expect(missingRows(ackedRowsAtCut, same[0]!), `committed rows missing on vprotect1 after its rejoin (of ${ackedRowsAtCut})`).to.deep.equal([]);
    const state = parseCrmMon(await sh(v2, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(state.nodes.map((n) => [n.name, n.online])).to.deep.equal([
      ['vprotect1', true],
      ['vprotect2', true],
    ]);
  });

  it('a partition of the inter-node link with the arbiter: the node holding the floating IP keeps quorum and /vprotect_data, the other promotes nothing; after the heal the pair resyncs, no split brain', async function () {
    // It starts from the rejoined pair the test before leaves. corosync-qnetd on the arbiter (pacemaker_quorum_device)
    // gives its vote to one half (ffsplit; the heuristic passes where the floating IP is): vprotect2 loses quorum
    // and, with no-quorum-policy=stop, stops what it runs instead of promoting DRBD.
    this.timeout(15 * 60_000);
    const start = await eventually(() => drbdState(v1), (s) => synced(s) && /^replicate role:Primary/.test(s), 120);
    expect(start, `vprotect1 Primary and in sync before the partition (${await bothSides(v1, v2)})`).to.match(/^replicate role:Primary/).and.match(/peer-disk:UpToDate/);
    for (const c of [v1, v2]) expect(await eventually(() => qdeviceState(c), (st) => st === 'Connected', 60), `${c.host}'s corosync-qdevice`).to.equal('Connected');
    const FILE = '/vprotect_data/written-during-arbitrated-partition.txt';
    const roleOf = (text: string): string => parseStatusText(text, 'replicate')?.role ?? 'down';
    const seen: string[] = [];
    const t0 = Date.now();
    await lab.partition();
    let quorum: string[] = [];
    try {
      await sh(v1, `echo 'written on vprotect1 while partitioned' > ${FILE} && sync ${FILE}`);
      while (Date.now() - t0 < 75_000) {
        const [a, b] = await Promise.all([v1.exec('drbdadm status replicate'), v2.exec('drbdadm status replicate')]);
        const roles = [a, b].map((r) => (r.code === 0 ? roleOf(r.stdout) : 'down'));
        seen.push(`${((Date.now() - t0) / 1000).toFixed(0)} s ${roles.join('/')}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      quorum = [await quorate(v1), await quorate(v2)];
      expect(await apiOnVip(), 'the API on the floating IP during the partition').to.equal('vprotect1');
    } finally {
      await lab.heal();
    }
    const promoted2 = seen.filter((l) => / \S+\/Primary$/.test(l));
    expect(promoted2, `vprotect2 promoted while partitioned (samples: ${seen.join(', ')})`).to.deep.equal([]);
    expect(seen.filter((l) => / Primary\//.test(l)).length, 'vprotect1 stayed Primary').to.equal(seen.length);
    expect(quorum, 'quorate at the end of the partition (vprotect1, vprotect2)').to.deep.equal(['Yes', 'No']);
    console.log(`      ${seen.length} samples over ${((Date.now() - t0) / 1000).toFixed(0)} s: vprotect1 Primary in all, vprotect2 in none; quorate: vprotect1 yes, vprotect2 no`);

    const states = async (): Promise<[string, string]> => [await drbdState(v1), await drbdState(v2)];
    const [s1, s2] = await eventually(states, ([x, y]) => synced(x) && synced(y), 420);
    const apart = await bothSides(v1, v2);
    expect(s1, `vprotect1 after the heal (${apart})`).to.match(/^replicate role:Primary/).and.match(/peer-disk:UpToDate/);
    expect(s2, 'vprotect2 after the heal').to.match(/^replicate role:Secondary/).and.match(/^\s+disk:UpToDate/m);
    expect(await sh(v1, `cat ${FILE}`)).to.equal('written on vprotect1 while partitioned\n');
    for (const c of [v1, v2]) expect(await eventually(() => qdeviceState(c), (st) => st === 'Connected', 60), `${c.host}'s corosync-qdevice after the heal`).to.equal('Connected');
  });

  it('without the arbiter (as the how-to has it), a partition: after the heal DRBD resyncs, or status.ts (exit 2) and site.ts stop at the split brain with the way out, both sides untouched, until the documented recovery resyncs them; then site.ts adds the arbiter back to the running cluster', async function () {
    // Two nodes alone cannot tell a dead peer from a cut link: each half fences the other in its own CIB and
    // promotes (seen on the lab). The how-to's cluster, made by removing the quorum device and ignoring quorum.
    this.timeout(30 * 60_000);
    await sh(v1, 'pcs quorum device remove && pcs property set no-quorum-policy=ignore');
    for (const c of [v1, v2]) expect(await eventually(() => qdeviceState(c), (st) => st === 'none', 60), `${c.host}'s corosync-qdevice after the device was removed`).to.equal('none');
    const SPLIT = "No DRBD split brain (nothing here discards either side's data)";
    const roleOf = (text: string): string => parseStatusText(text, 'replicate')?.role ?? 'down';
    const standAlone = (text: string): boolean => {
      const s = parseStatusText(text, 'replicate');
      return s !== undefined && peerConnection(s) === 'StandAlone';
    };
    const mounted = async (c: Connection): Promise<boolean> => (await mountOf(c)) === '/dev/drbd0 xfs';
    const primaries = async (): Promise<Connection[]> => {
      const out: Connection[] = [];
      for (const c of [v1, v2]) if (roleOf(await drbdState(c)) === 'Primary' && (await mounted(c))) out.push(c);
      return out;
    };
    /** The one node serving /vprotect_data once the rejoined cluster stops moving it (the same on two reads 15 s apart). */
    const settledPrimary = async (): Promise<Connection | undefined> => {
      const one = await primaries();
      if (one.length !== 1) return undefined;
      await new Promise((r) => setTimeout(r, 15_000));
      const again = await primaries();
      return again.length === 1 && again[0] === one[0] ? one[0] : undefined;
    };

    await eventually(() => drbdState(v1), (s) => synced(s) && /^replicate role:Primary/.test(s), 120);
    const [active] = await primaries();
    expect(active?.host, 'one node serves /vprotect_data before the partition').to.be.a('string');
    const FILE = '/vprotect_data/written-during-partition.txt';
    const CONTENT = `written on ${active!.host} while partitioned\n`;

    // Sampled every second while the link is cut: each node's role and mount, read over the controller's link.
    const look = async (c: Connection): Promise<{ role: string; mounted: boolean }> => {
      const [st, m] = await Promise.all([c.exec('drbdadm status replicate'), mounted(c)]);
      return { role: st.code === 0 ? roleOf(st.stdout) : '?', mounted: m };
    };
    const bothPrimary: string[] = [];
    const t0 = Date.now();
    await lab.partition();
    try {
      await sh(active!, `echo '${CONTENT.trimEnd()}' > ${FILE} && sync ${FILE}`);
      while (Date.now() - t0 < 60_000) {
        const [a, b] = await Promise.all([look(v1), look(v2)]);
        if (a.role === 'Primary' && a.mounted && b.role === 'Primary' && b.mounted) bothPrimary.push(`${((Date.now() - t0) / 1000).toFixed(0)} s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await lab.heal();
    }
    if (bothPrimary.length) console.log(`      both nodes Primary with /vprotect_data mounted at ${bothPrimary.join(', ')} into the partition`);

    // The heal: a resync (one side never wrote), or DRBD's split brain (StandAlone on at least one node).
    const states = async (): Promise<[string, string]> => [await drbdState(v1), await drbdState(v2)];
    const healed = await eventually(states, ([a, b]) => (synced(a) && synced(b)) || standAlone(a) || standAlone(b), 120);
    if (synced(healed[0]) && synced(healed[1])) {
      console.log('      after the heal: resynced, no split brain');
      const primary = await eventually(settledPrimary, (p) => p !== undefined, 180);
      expect(primary, 'one Primary after the heal').to.not.equal(undefined);
      expect(await sh(primary!, `cat ${FILE}`), `${FILE} on the Primary, ${primary!.host}`).to.equal(CONTENT);
    } else {
      expect(healed.some(standAlone), `neither resynced nor StandAlone 120 s after the heal:\n${healed.join('\n')}`).to.equal(true);
      console.log(`      after the heal: split brain (${[v1, v2].filter((_, i) => standAlone(healed[i]!)).map((c) => c.host).join(', ')} StandAlone)`);
      // Pacemaker settles on one Primary first (both were promoted apart); what is read afterwards is the pair's state.
      const settled = await eventually(settledPrimary, (p) => p !== undefined, 180);
      expect(settled, 'one Primary once the cluster rejoined').to.not.equal(undefined);
      // The data generations without what says the node is Primary now (DRBD 8.4 keeps it in the current UUID's
      // lowest bit and the primary-indicator flag): Pacemaker may move the Primary between the diverged copies
      // meanwhile (each half's fence constraint met in the rejoined CIB; seen on the lab), which is not the data
      // changing. A resync or a discard replaces the UUIDs.
      const dataGenerations = (gi: string): string =>
        gi
          .trim()
          .split(':')
          .map((f, i) => (i === 0 ? (BigInt(`0x${f}`) & ~1n).toString(16).toUpperCase().padStart(16, '0') : i === 6 ? '-' : f))
          .join(':');
      const generations = async (): Promise<string[]> => [dataGenerations(await sh(v1, 'drbdadm get-gi replicate')), dataGenerations(await sh(v2, 'drbdadm get-gi replicate'))];
      const before = await generations();

      const check = await runPlaybook(status, lab.inventoryDir);
      expect(check.code, `status.ts: ${withStatus(check, 'failed').join('\n')}${check.errors.join('\n')}`).to.equal(2);
      const reported = results(check).filter((e) => e.status === 'failed' || e.status === 'unreachable');
      expect(reported.map((e) => `${e.host}: ${e.task.name}`).sort()).to.deep.equal([`vprotect1: ${SPLIT}`, `vprotect2: ${SPLIT}`]);
      for (const e of reported) {
        expect(e.msg).to.match(/^DRBD split brain on resource replicate, seen from vprotect[12]: vprotect1 is \w+ \(disk \w+, \w+\), vprotect2 is \w+ \(disk \w+, \w+\)\. Evidence: /);
        expect(e.msg).to.contain('On the victim: drbdadm disconnect replicate; drbdadm secondary replicate; drbdadm connect --discard-my-data replicate');
        expect(e.msg).to.contain('On the survivor, if it is StandAlone: drbdadm connect replicate.');
      }

      const r = await runPlaybook(site, lab.inventoryDir);
      expect(r.code).to.equal(2);
      const stopped = results(r).filter((e) => e.status === 'failed' || e.status === 'unreachable');
      expect(stopped.map((e) => `${e.host}: ${e.task.name}`).sort(), `site.ts stops at the split-brain check and nowhere else (${stopped.map((e) => `${e.host}: ${e.msg ?? ''}`).join(' | ')})`).to.deep.equal([`vprotect1: ${SPLIT}`, `vprotect2: ${SPLIT}`]);
      expect(stopped.map((e) => e.msg ?? '').every((m) => m.startsWith('DRBD split brain on resource replicate'))).to.equal(true);
      expect(results(r).filter((e) => e.task.role === 'drbd' && e.status === 'changed')).to.deep.equal([]);
      // Neither side resynced, discarded or moved on: both data generations as they were, both still apart.
      expect(await generations(), 'both nodes\' data generations across status.ts and site.ts').to.deep.equal(before);
      expect((await states()).some((s) => /replication:Established/.test(s)), 'still apart').to.equal(false);
      // LINBIT's manual recovery, as the message gives it: the node that is not Primary now is the victim.
      const survivor = (await eventually(settledPrimary, (p) => p !== undefined, 180)) ?? settled!;
      const victim = survivor === v1 ? v2 : v1;
      if (survivor !== settled) console.log(`      Pacemaker moved the Primary from ${settled!.host} to ${survivor.host} meanwhile`);
      if (survivor === active) expect(await sh(survivor, `cat ${FILE}`), `${FILE} on ${survivor.host}`).to.equal(CONTENT);
      else console.log(`      ${active!.host} wrote ${FILE} and is Secondary now: its copy is kept (generations unchanged) but cannot be mounted to read`);
      console.log(`      recovery: ${victim.host} discards its changes, ${survivor.host} keeps its data`);
      const apart = await drbdState(victim);
      const d = await victim.exec('drbdadm disconnect replicate');
      if (d.code !== 0) {
        // DRBD 8.4 keeps no connection to drop on a StandAlone node; the message says to go on.
        expect(standAlone(apart), `drbdadm disconnect on ${victim.host} exited ${d.code}: ${d.stderr}`).to.equal(true);
        expect(`${d.stdout}${d.stderr}`).to.match(/unknown connection/);
      }
      await sh(victim, 'drbdadm secondary replicate');
      await sh(victim, 'drbdadm connect --discard-my-data replicate');
      if (standAlone(await drbdState(survivor))) await sh(survivor, 'drbdadm connect replicate');
      const [s1, s2] = await eventually(states, ([a, b]) => synced(a) && synced(b), 300);
      expect(s1, 'vprotect1 after the recovery').to.match(/^\s+disk:UpToDate/m).and.match(/peer-disk:UpToDate/);
      expect(s2, 'vprotect2 after the recovery').to.match(/^\s+disk:UpToDate/m).and.match(/peer-disk:UpToDate/);
    }

    // What a user with a hand-built cluster gets from site.ts: the arbiter added to the running cluster.
    const r = await runPlaybook(site, lab.inventoryDir);
    noFailures(r);
    expect(statusOf(r, 'Quorum device: a vote through corosync-qnetd on the arbiter', 'vprotect1')).to.equal('changed');
    for (const c of [v1, v2]) expect(await qdeviceState(c), `${c.host}'s corosync-qdevice after site.ts`).to.equal('Connected');
    expect(await sh(v1, 'crm_attribute --type crm_config --name no-quorum-policy --query --quiet')).to.equal('stop\n');
  });

  it('DRBD as the how-to builds it (its vprotect.res, no fencing, live under the cluster): --check --diff says what would change and changes nothing; site.ts puts the role\'s content into vprotect.res and adjusts the live resource, the data stays; a rerun changes nothing', async function () {
    this.timeout(15 * 60_000);
    const howTo = (): string =>
      'resource replicate {\nprotocol C;\n' +
      [1, 2].map((i) => `    on vprotect${i} {\n        device /dev/drbd0;\n        disk /dev/ubdb;\n        address ${labHost(i).ip}:7788;\n        meta-disk internal;\n    }\n`).join('') +
      '}\n';
    const RES = '/etc/drbd.d/vprotect.res';
    const FENCING = /fencing\s+resource-only;/;
    // The how-to's file in place of the role's, taken live (drbdadm adjust): the kernel drops the role's fencing.
    for (const c of [v1, v2]) await sh(c, `rm -f /etc/drbd.d/replicate.res && cat > ${RES} <<'EOF'\n${howTo()}EOF\ndrbdadm adjust replicate`);
    for (const c of [v1, v2]) expect(await sh(c, 'drbdsetup show replicate'), `${c.host} runs the how-to's settings`).to.not.match(FENCING);
    const s1 = await eventually(() => drbdState(v1), (s) => synced(s) && /^replicate role:Primary/.test(s), 180);
    expect(s1, `vprotect1 Primary and in sync (${await bothSides(v1, v2)})`).to.match(/^replicate role:Primary/).and.match(/peer-disk:UpToDate/);
    await sh(v1, 'head -c 4M /dev/urandom > /vprotect_data/hand-built.bin && sync /vprotect_data/hand-built.bin');
    const sum = await sha256(v1, '/vprotect_data/hand-built.bin');
    const FILE_TASK = 'DRBD resource file (validated by drbdadm before it is installed)';
    const UP_TASK = 'Bring the resource up, or a live one to its file';

    const check = await runPlaybook(site, lab.inventoryDir, '--check', '--diff');
    noFailures(check);
    for (const [c, role] of [[v1, 'Primary'], [v2, 'Secondary']] as const) {
      expect(messageOf(check, FILE_TASK, c.host)).to.equal(`resource replicate is defined in ${RES} (made by hand): its content becomes the role's there; would update ${RES}`);
      expect(messageOf(check, UP_TASK, c.host)).to.equal(`replicate is up (${role}, disk UpToDate): would adjust it live to the new resource file (drbdadm adjust)`);
      expect(await sh(c, `cat ${RES}`), `${c.host}'s ${RES} after --check`).to.equal(howTo());
      expect(await sh(c, 'drbdsetup show replicate'), `${c.host}'s live settings after --check`).to.not.match(FENCING);
    }

    const r = await runPlaybook(site, lab.inventoryDir);
    noFailures(r);
    for (const c of [v1, v2]) {
      expect(messageOf(r, UP_TASK, c.host)).to.match(/^adjusted replicate live to its file: drbdsetup\S* disk-options/);
      expect(await sh(c, `cat ${RES}`)).to.contain('# DRBD resource replicate: written by the drbd role');
      expect((await c.exec('test -e /etc/drbd.d/replicate.res')).code, `${c.host} has no second definition`).to.equal(1);
      expect(await sh(c, 'drbdsetup show replicate'), `${c.host}'s live settings after site.ts`).to.match(FENCING);
    }
    expect(await eventually(() => drbdState(v1), synced, 60)).to.match(/^replicate role:Primary/);
    expect(await sha256(v1, '/vprotect_data/hand-built.bin')).to.equal(sum);
    expect(await eventually(apiOnVip, (h) => h === 'vprotect1', 120), 'the API on the floating IP after site.ts').to.equal('vprotect1');

    const again = await runPlaybook(site, lab.inventoryDir);
    noFailures(again);
    expect(changedNothing(again)).to.deep.equal([]);
  });
});
