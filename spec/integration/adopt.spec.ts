// Issue 13: a cluster someone built by hand from the how-to, with rows written on both sides, adopted by the
// roles. One pair is built by hand (spec/support/hand-built.ts) and then taken through, in order: the adoption
// report and --check (nothing changes), a refused run (the cluster named otherwise), the real run, its rerun,
// the rows and replication both ways, fail-over; then the failures the issue lists, each reproduced on that
// pair: logs renamed under running replicas (the old role's drop-in), a peer holding rows of its own after
// RESET SLAVE ALL, and a failure while the CIB file is built. Every run that changes something is rerun with
// changed=0; every data-touching step is followed by every row written so far being found on both nodes.
import { expect } from 'chai';
import type { Connection } from '../../engine/types';
import { sh } from '../../engine/shell';
import { parseCrmMon, runningOn } from '../../modules/cluster_status';
import { site } from '../../playbooks/site';
import { adopt } from '../../playbooks/adopt';
import { failover } from '../../playbooks/failover';
import { renew } from '../../lab/lab';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { bothHoldAll, buildByHand, expectedRows, HOWTO, replicaThreads, rowsOn, run, sql, writeRow, type HandBuiltPair } from '../support/hand-built';
import { changedNothing, messageOf, recapStats, results, runPlaybook, statusOf, withStatus, type PlaybookRun } from '../support/playbook-run';

const ADOPT = ['-e', `cluster_name=${HOWTO.cluster}`];
const SERVER_CNF = HOWTO.serverCnf;
const DROP_IN = '/etc/mysql/mariadb.conf.d/60-vprotect-replication.cnf';

/** What a refused or read-only run must leave exactly as it was. */
async function hostState(c: Connection): Promise<string> {
  return run(
    c,
    'md5sum /etc/mysql/mariadb.conf.d/* /etc/corosync/corosync.conf; getent shadow hacluster | cut -d: -f2; ' +
      'cibadmin --query --scope configuration | md5sum; ' +
      `mysql -N -e "SELECT @@log_bin_basename, @@binlog_format, @@auto_increment_increment; SHOW SLAVE STATUS" | cut -f1-12`,
  );
}

/** The binary log's basename and the relay log the replica reads (relay_log_basename is NULL while MariaDB's default applies). */
async function basenames(c: Connection): Promise<string> {
  const relay = /^\s*Relay_Log_File: (\S+)\.\d+$/m.exec(await run(c, "mysql -e 'SHOW SLAVE STATUS\\G'"))?.[1];
  return `${(await sql(c, 'SELECT @@log_bin_basename')).trim()} ${relay}`;
}

describe('adopting a pair built by hand from the how-to (issue 13)', function () {
  this.timeout(20 * 60_000);
  let lab: LabHandle;
  let pair: HandBuiltPair;
  let v1: Connection;
  let v2: Connection;
  const site_ = (...args: string[]): Promise<PlaybookRun> => runPlaybook(site, lab.inventoryDir, ...ADOPT, ...args);

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    await renew(2, 'nspawn');
    pair = await buildByHand(lab);
    [v1, v2] = pair.nodes;
  });

  describe('before anything changes', () => {
    let before: string[];
    beforeEach(async () => {
      before = [await hostState(v1), await hostState(v2)];
    });
    afterEach(async () => {
      expect([await hostState(v1), await hostState(v2)], 'nothing changed on either host').to.deep.equal(before);
    });

    it('adopt.ts reports what each MariaDB is, what replication needs, the lines and settings that would change, and what the CIB has', async () => {
      const r = await runPlaybook(adopt, lab.inventoryDir, ...ADOPT);
      expect(r.code, r.errors.join('\n') + withStatus(r, 'failed').join('\n')).to.equal(0);
      expect(changedNothing(r)).to.deep.equal([]);
      expect(messageOf(r, 'Read what the server is: identity, replication coordinates, option files', 'vprotect1')).to.match(
        /^server_id 1, binary log mysqld-bin at mysqld-bin\.000001:\d+, relay log mysqld-relay-bin, replica of 198\.18\.0\.12 \(IO Yes, SQL Yes\)$/,
      );
      expect(messageOf(r, 'Decide what replication needs; refuse what cannot be done safely', 'vprotect1')).to.match(
        /^vprotect1: credentials: vprotect1 logs in to vprotect2 with other credentials than the role's replication user: they are replaced, the coordinates \(mysqld-bin\.000001:\d+\) kept; vprotect2: credentials: .*kept$/,
      );
      expect(messageOf(r, 'Option lines made by hand that the role would comment out', 'vprotect2')).to.equal(
        `${SERVER_CNF}:10 log-bin; ${SERVER_CNF}:11 server_id=2; ${SERVER_CNF}:12 replicate-do-db=vprotect; ${SERVER_CNF}:30 bind-address            = 0.0.0.0`,
      );
      expect(messageOf(r, "What the servers would change to run with the role's settings", 'vprotect1')).to.match(
        /^would vprotect1: binlog_format MIXED -> ROW, auto_increment_increment 1 -> 2, sync_binlog 0 -> 1, rpl_semi_sync_master_wait_point AFTER_COMMIT -> AFTER_SYNC, rpl_semi_sync_master_wait_no_slave ON -> OFF, rpl_semi_sync_master_enabled OFF -> ON, rpl_semi_sync_slave_enabled OFF -> ON \(live, no restart\); vprotect2: binlog_format MIXED -> ROW, auto_increment_increment 1 -> 2, auto_increment_offset 1 -> 2, sync_binlog 0 -> 1, rpl_semi_sync_master_wait_point AFTER_COMMIT -> AFTER_SYNC, rpl_semi_sync_master_wait_no_slave ON -> OFF, rpl_semi_sync_master_enabled OFF -> ON, rpl_semi_sync_slave_enabled OFF -> ON \(live, no restart\); replication keeps its coordinates \(vprotect1 replicates vprotect2 from mysqld-bin\.000001:\d+; vprotect2 replicates vprotect1 from mysqld-bin\.000001:\d+\)$/,
      );
      expect(messageOf(r, 'Compare the live CIB with the role; refuse what cannot be converged in one push', 'vprotect1')).to.equal(
        'the role recreates vProtect-server (agent service:vprotect-server -> systemd:vprotect-server) in the same CIB push, each restarted once by pacemaker',
      );
    });

    it('the inventory naming the cluster otherwise (the lab default "vprotect"): site.ts stops before any role runs; mycluster is never destroyed', async () => {
      const r = await runPlaybook(site, lab.inventoryDir);
      expect(r.code).to.equal(2);
      expect(withStatus(r, 'failed')).to.deep.equal([
        'vprotect1 Compare the live CIB with the role; refuse what cannot be converged in one push: nothing is changed: vprotect1 belongs to corosync cluster "mycluster" ' +
          'with nodes vprotect1, vprotect2, this inventory\'s own nodes, but the inventory names the cluster "vprotect": set cluster_name: mycluster to adopt it (it is never destroyed as a foreign cluster)',
      ]);
      expect(results(r).filter((e) => e.task.role !== 'adoption_checks').map((e) => e.task.name)).to.deep.equal([]);
    });

    it('--check --diff: logs keep their names, settings go live with no restart, replication keeps its coordinates, vProtect-server is recreated in one CIB push', async () => {
      const r = await site_('--check', '--diff');
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      const dropIn = results(r).find((e) => e.task.name.startsWith('Binary log, relay log') && e.host === 'vprotect1')!;
      expect(dropIn.msg).to.equal(`would create ${DROP_IN}`);
      expect(dropIn.diffs![0]!.after).to.contain('server_id = 1\nlog_bin = mysqld-bin\nrelay_log = mysqld-relay-bin\n');
      expect(messageOf(r, 'The same settings made elsewhere by hand are commented out', 'vprotect1')).to.equal(
        `would comment out ${SERVER_CNF}:10,11,12,30 (log-bin; server_id=1; replicate-do-db=vprotect; bind-address            = 0.0.0.0): set in ${DROP_IN} (mariadb_master_master)`,
      );
      expect(messageOf(r, 'The servers run with these settings (live where possible, else restarted one at a time)', 'vprotect1')).to.match(/\(live, no restart\); replication keeps its coordinates/);
      expect(messageOf(r, 'Replication from the peer runs (repaired in place, no event lost or replayed)', 'vprotect2')).to.match(
        /^would replace the replication credentials: .* the coordinates \(mysqld-bin\.000001:\d+\) kept$/,
      );
      expect(messageOf(r, 'Define resources', 'vprotect1')).to.contain(
        'would recreate resource vProtect-server (agent service:vprotect-server -> systemd:vprotect-server: pacemaker cannot change an agent in place; it restarts once)',
      );
      const push = results(r).find((e) => e.task.name === 'Push the resource configuration')!;
      expect(push.msg).to.equal(
        'would push the configuration in /var/lib/pacemaker/vprotect-ha-build.cib.xml (resources added: mariadb-clone, mariadb; resources changed: Failover_IP, vProtect-server; constraints added: order-mariadb-clone-vProtect-group-mandatory)',
      );
      expect(push.diffs![0]!.before).to.contain('<primitive id="vProtect-server" class="service" type="vprotect-server">');
      expect(push.diffs![0]!.after).to.contain('<primitive id="vProtect-server" class="systemd" type="vprotect-server">');
      // No fake failure of a step that depends on an earlier would-be change: nothing failed, nothing unreachable.
      expect(withStatus(r, 'failed')).to.deep.equal([]);
    });
  });

  describe('site.ts on it', () => {
    let names: string[];
    before(async () => {
      names = [await basenames(v1), await basenames(v2)];
    });

    it('converges it (failed=0), keeping the log names and replication running from where it was', async () => {
      const r = await site_();
      expect(r.code, withStatus(r, 'failed').join('\n') + r.errors.join('\n')).to.equal(0);
      expect([await basenames(v1), await basenames(v2)]).to.deep.equal(names);
      expect(names[0]).to.equal('/var/lib/mysql/mysqld-bin mysqld-relay-bin');
      for (const c of [v1, v2]) {
        expect(await replicaThreads(c), c.host).to.equal('Yes Yes');
        // Not 'vprotect,vprotect': the hand-made line no longer adds to the drop-in's.
        expect((await sql(c, 'SELECT @@replicate_do_db, @@binlog_format, @@auto_increment_increment')).trim()).to.equal('vprotect\tROW\t2');
        expect(await run(c, sh`grep -c ${'^# log-bin  # set in'} ${SERVER_CNF}`)).to.equal('1\n');
      }
      const state = parseCrmMon(await run(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
      expect(runningOn(state, 'vProtect-group')).to.deep.equal(['vprotect1']);
      expect(runningOn(state, 'mariadb-clone').sort()).to.deep.equal(['vprotect1', 'vprotect2']);
      expect(await run(v1, 'cibadmin --query --xpath "//primitive[@id=\'vProtect-server\']"')).to.contain('class="systemd"');
    });

    it('a rerun changes nothing', async () => {
      const r = await site_();
      expect(r.code).to.equal(0);
      expect(changedNothing(r)).to.deep.equal([]);
    });

    it('every row written by hand on either side is on both; a new row each way replicates', async () => {
      expect(await rowsOn(v1)).to.deep.equal(expectedRows(pair));
      expect(await rowsOn(v2)).to.deep.equal(expectedRows(pair));
      expect(await sql(v1, "SELECT COUNT(*) FROM tasks WHERE name = 'written by hand on the second node'", 'vprotect')).to.equal('1\n');
      await writeRow(pair, 0, 'after adoption, on the first node');
      await writeRow(pair, 1, 'after adoption, on the second node');
      const [on1, on2] = await bothHoldAll(pair);
      expect(on1).to.deep.equal(expectedRows(pair));
      expect(on2).to.deep.equal(expectedRows(pair));
    });

    it('fails over to vprotect2 and back (its MariaDB restarted by the cluster under the same names), then site.ts changes nothing', async () => {
      const over = await runPlaybook(failover, lab.inventoryDir, '--tags', 'failover');
      expect(over.code, withStatus(over, 'failed').join('\n')).to.equal(0);
      await writeRow(pair, 1, 'while vprotect2 is active');
      const back = await runPlaybook(failover, lab.inventoryDir, '--tags', 'failback');
      expect(back.code, withStatus(back, 'failed').join('\n')).to.equal(0);
      expect([await basenames(v1), await basenames(v2)]).to.deep.equal(names);
      await writeRow(pair, 0, 'after failing back');
      // vprotect2's IO thread reconnects to the restarted vprotect1 after its connect retry (60 s).
      const [on1, on2] = await bothHoldAll(pair, 120);
      expect([on1, on2]).to.deep.equal([expectedRows(pair), expectedRows(pair)]);
      const again = await site_();
      expect(again.code, withStatus(again, 'failed').join('\n')).to.equal(0);
      expect(changedNothing(again)).to.deep.equal([]);
    });
  });

  describe('a pair broken by renamed logs under running replicas (what the old role did: ERROR 1201 on both)', () => {
    before(async () => {
      // The pair as the old role found it: replicating, caught up both ways.
      await bothHoldAll(pair, 120);
      // The old drop-in, written and both servers restarted at once, as the old role's handler did.
      for (const [i, c] of [v1, v2].entries()) {
        const name = c.host;
        await c.put(DROP_IN, `[mysqld]\nserver_id = ${i + 1}\nlog_bin = ${name}-bin\nlog_basename = ${name}\nbinlog_format = ROW\nreplicate_do_db = vprotect\nauto_increment_increment = 2\nauto_increment_offset = ${i + 1}\nbind_address = 0.0.0.0\nport = 3306\n`, { mode: 0o644 });
      }
      await Promise.all([v1, v2].map((c) => run(c, 'systemctl restart mariadb')));
      for (const c of [v1, v2]) {
        const r = await c.exec('mysql -e "START SLAVE"');
        expect(r.stderr, c.host).to.match(/ERROR 1201 .*Could not initialize master info structure/);
      }
      // From then on writes no longer replicate: each side takes rows the other lacks.
      await writeRow(pair, 0, 'during the break, on the first node');
      await writeRow(pair, 1, 'during the break, on the second node');
    });

    it('--check diagnoses each side: which side, which position, what the role does; no fake failure', async () => {
      const r = await site_('--check');
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      const plan = messageOf(r, 'Decide what replication needs; refuse what cannot be done safely', 'vprotect1')!;
      expect(plan).to.match(
        /^vprotect1: resume: vprotect2 renamed its binary log \(mysqld-bin -> vprotect2-bin\); vprotect1 had applied the old one to its end \(mysqld-bin\.\d+:\d+, nothing written after it\): vprotect1 resumes at the start of the new one, vprotect2-bin\.000001:4; vprotect2: resume: vprotect1 renamed its binary log \(mysqld-bin -> vprotect1-bin\); .*vprotect1-bin\.000001:4$/,
      );
      expect(messageOf(r, 'Replication from the peer runs (repaired in place, no event lost or replayed)', 'vprotect2')).to.match(/^would resume at vprotect1-bin\.000001:4: /);
      expect(statusOf(r, 'Replication from the peer runs (repaired in place, no event lost or replayed)', 'vprotect1')).to.equal('changed');
    });

    it('site.ts repairs both replicas without losing a row: the rows written during the break reach the other side; a rerun changes nothing', async () => {
      const r = await site_();
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      for (const c of [v1, v2]) expect(await replicaThreads(c), c.host).to.equal('Yes Yes');
      const [on1, on2] = await bothHoldAll(pair);
      expect([on1, on2]).to.deep.equal([expectedRows(pair), expectedRows(pair)]);
      const again = await site_();
      expect(changedNothing(again)).to.deep.equal([]);
    });
  });

  describe('a peer holding rows the preferred node lacks (after RESET SLAVE ALL, "to let the role set it up again")', () => {
    before(async () => {
      for (const c of [v1, v2]) await sql(c, 'STOP SLAVE; RESET SLAVE ALL;');
      await writeRow(pair, 1, 'only on the second node');
    });

    it('--check and the run both refuse the re-seed, counting those rows, before anything changes; every row stays', async () => {
      const before = [await hostState(v1), await hostState(v2)];
      for (const args of [['--check'], []]) {
        const r = await site_(...args);
        expect(r.code, args.join(' ')).to.equal(2);
        expect(withStatus(r, 'failed')).to.deep.equal([
          'vprotect1 Decide what replication needs; refuse what cannot be done safely: nothing is changed on vprotect1 or vprotect2: ' +
            "vprotect1 follows no one, vprotect2 follows no one: refusing to load vprotect1's vprotect over vprotect2's: vprotect2 holds 1 row vprotect1 lacks (hand_rows: 1), " +
            'which the load would destroy. Make those rows reach vprotect1 first, or set mariadb_replace_peer_database: true for this one run ' +
            '(e.g. -e mariadb_replace_peer_database=true) to discard them knowingly',
        ]);
        expect(results(r).filter((e) => e.task.role !== 'adoption_checks').map((e) => e.task.name), 'no role ran').to.deep.equal([]);
      }
      expect([await hostState(v1), await hostState(v2)]).to.deep.equal(before);
      expect(await rowsOn(v2)).to.deep.equal(expectedRows(pair));
    });

    it('once those rows reach vprotect1 the role seeds vprotect2 (--check says what it would load), then both replicate; no row lost; a rerun changes nothing', async () => {
      // The user's way out: the very row (its id too) written on vprotect1 by hand.
      const row = (await sql(v2, "SELECT id, node, note FROM hand_rows WHERE note = 'only on the second node'", 'vprotect')).trim().split('\t');
      await sql(v1, `INSERT INTO hand_rows (id, node, note) VALUES (${Number(row[0])}, '${row[1]}', '${row[2]}')`, 'vprotect');
      const check = await site_('--check');
      expect(check.code, withStatus(check, 'failed').join('\n')).to.equal(0);
      expect(messageOf(check, "Seed the peer from the preferred node's consistent dump, then replicate both ways (guarded)", 'vprotect1')).to.match(
        /^would dump vprotect on vprotect1 and load it over vprotect2's database \(\d+ tables, \d+ rows; it holds no row vprotect1 lacks\), then replicate both ways from the dump's coordinates$/,
      );
      const r = await site_();
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      await writeRow(pair, 0, 'after the seed, on the first node');
      await writeRow(pair, 1, 'after the seed, on the second node');
      const [on1, on2] = await bothHoldAll(pair);
      expect([on1, on2]).to.deep.equal([expectedRows(pair), expectedRows(pair)]);
      expect(changedNothing(await site_())).to.deep.equal([]);
    });
  });

  describe('a failure while the CIB file is built (pcs refuses a resource on vprotect1)', () => {
    const WRAPPER = '/usr/local/sbin/pcs';
    let cibBefore: string;
    before(async () => {
      // The live CIB drifts from the role's in two places, so the build has two changes to make.
      await run(v1, 'pcs resource update ping dampen=7s && pcs resource update vProtect-server op monitor timeout=200s on-fail=stop');
      cibBefore = await run(v1, 'cibadmin --query --scope configuration');
      // pcs on vprotect1 fails on vProtect-server, after ping was changed in the CIB file.
      await v1.put(WRAPPER, '#!/bin/sh\ncase "$*" in *"resource update vProtect-server"*) echo "Error: refused by the spec" >&2; exit 1;; esac\nexec /usr/sbin/pcs "$@"\n', { mode: 0o755 });
    });
    after(async () => {
      await v1.exec(sh`rm -f ${WRAPPER}`);
    });

    it('stops every host: nothing is pushed, and no run-once step moves on to vprotect2', async () => {
      const r = await site_('--tags', 'pacemaker');
      expect(r.code).to.equal(2);
      expect(withStatus(r, 'failed')).to.deep.equal([
        'vprotect1 Define resources: `pcs -f /var/lib/pacemaker/vprotect-ha-build.cib.xml resource update vProtect-...` exited 1: Error: refused by the spec',
      ]);
      const after = results(r).slice(results(r).findIndex((e) => e.status === 'failed') + 1);
      expect(after.map((e) => `${e.host} ${e.task.name}`)).to.deep.equal([]);
      expect(recapStats(r).vprotect2!.failed).to.equal(0);
      expect(await run(v1, 'cibadmin --query --scope configuration')).to.equal(cibBefore);
    });

    it('once pcs works again, site.ts pushes both changes in one push; a rerun changes nothing', async () => {
      await v1.exec(sh`rm -f ${WRAPPER}`);
      const r = await site_('--tags', 'pacemaker');
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      expect(messageOf(r, 'Push the resource configuration', 'vprotect1')).to.equal(
        'push the configuration in /var/lib/pacemaker/vprotect-ha-build.cib.xml (resources changed: ping, vProtect-server)',
      );
      expect(changedNothing(await site_('--tags', 'pacemaker'))).to.deep.equal([]);
      const [on1, on2] = await bothHoldAll(pair);
      expect([on1, on2]).to.deep.equal([expectedRows(pair), expectedRows(pair)]);
    });
  });
  describe('a setting only a restart applies (bind_address) on the replicating pair under a running vProtect', () => {
    const since = (c: Connection, unit: string): Promise<string> => run(c, sh`systemctl show -p ActiveEnterTimestampMonotonic ${unit}`);
    let vprotectSince: string;
    before(async () => {
      vprotectSince = await since(v1, 'vprotect-server');
    });

    it('--check says which node restarts first (the one running no service) and that replication keeps its coordinates', async () => {
      const r = await site_('--check', '--tags', 'mariadb', '-e', 'mariadb_bind_address=*');
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      expect(messageOf(r, 'The servers run with these settings (live where possible, else restarted one at a time)', 'vprotect1')).to.match(
        /^would restart vprotect2's MariaDB \(bind_address 0\.0\.0\.0 -> \*\), then vprotect1's MariaDB \(bind_address 0\.0\.0\.0 -> \*\), one at a time, each caught up with its peer before the next; replication keeps its coordinates \(vprotect1 replicates vprotect2 from \S+:\d+; vprotect2 replicates vprotect1 from \S+:\d+\)$/,
      );
    });

    it('restarts vprotect2, then vprotect1, each back and caught up before the next; vProtect keeps running; no row lost; a rerun changes nothing', async () => {
      await writeRow(pair, 0, 'before the rolling restart');
      const r = await site_('--tags', 'mariadb', '-e', 'mariadb_bind_address=*');
      expect(r.code, withStatus(r, 'failed').join('\n')).to.equal(0);
      expect(messageOf(r, 'The servers run with these settings (live where possible, else restarted one at a time)', 'vprotect1')).to.match(/^restart vprotect2's MariaDB .*, then vprotect1's MariaDB /);
      // One at a time: vprotect1's server stopped only once vprotect2's was running again (one kernel clock).
      const stamp = async (c: Connection, what: string): Promise<number> => Number((await run(c, sh`systemctl show -p ${what} --value mariadb`)).trim());
      expect(await stamp(v2, 'ActiveEnterTimestampMonotonic')).to.be.lessThan(await stamp(v1, 'InactiveEnterTimestampMonotonic'));
      for (const c of [v1, v2]) {
        expect((await sql(c, 'SELECT @@bind_address')).trim(), c.host).to.equal('*');
        expect(await replicaThreads(c), c.host).to.equal('Yes Yes');
      }
      // The cluster managed MariaDB again, with no failure left behind, and never restarted vProtect for it.
      const state = parseCrmMon(await run(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
      expect(state.resources.filter((x) => x.failed).map((x) => x.id)).to.deep.equal([]);
      expect(await run(v1, 'cibadmin --query --xpath "//clone[@id=\'mariadb-clone\']"')).not.to.contain('is-managed');
      expect(await since(v1, 'vprotect-server')).to.equal(vprotectSince);
      await writeRow(pair, 1, 'after the rolling restart');
      const [on1, on2] = await bothHoldAll(pair);
      expect([on1, on2]).to.deep.equal([expectedRows(pair), expectedRows(pair)]);
      expect(changedNothing(await site_('--tags', 'mariadb', '-e', 'mariadb_bind_address=*'))).to.deep.equal([]);
    });
  });
});
