// The mysql_* modules against real MariaDB servers started here on temp datadirs (unix socket; the
// replication pair also listens on 127.0.0.1), driven through LocalConnection.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mysqlDb, mysqlDump, mysqlLoad, mysqlQuery, mysqlReplication, mysqlUser, type MysqlLogin } from '../../modules/mysql';
import { localContext, withCheck, type LocalContext } from '../support/local-context';
import { rowsOnlyOn } from '../../modules/mysql/compare';
import { freePort, haveMariaDb, startMariaDb, type ThrowawayMariaDb } from '../support/throwaway-mariadb';
import { failureMessage as failure } from '../support/failure';
import { probeRecordWrite } from '../../modules/probe_record/write';

const leftoverCredentialFiles = (): string[] => readdirSync('/tmp').filter((f) => f.startsWith('.mysql-client-'));

describe('mysql modules on a real MariaDB (throwaway server)', function () {
  this.timeout(120_000);
  let db: ThrowawayMariaDb;
  let ctx: LocalContext;
  let root: MysqlLogin;

  before(async function () {
    if (!haveMariaDb()) throw new Error('MariaDB is needed: apt-get install mariadb-server mariadb-client');
    db = await startMariaDb({ serverId: 1, binlogBase: 'vprotect1-bin' });
    root = { socket: db.socket };
    ctx = await localContext();
  });
  after(async () => db && (await db.stop()));

  it('mysql_query returns typed rows: NULL stays null, tabs and newlines survive', async () => {
    const r = await mysqlQuery({ query: "SELECT 1 AS a, NULL AS b, 'x\\ty\\nz' AS c", login: root }).run(ctx);
    expect(r.changed).to.equal(false);
    expect(r.rows).to.deep.equal([{ a: '1', b: null, c: 'x\ty\nz' }]);
  });

  it('mysql_query: changing statements run (changed) and are only reported under --check', async () => {
    const check = await mysqlQuery({ query: 'CREATE DATABASE probe_db', login: root }).run(withCheck(ctx, true));
    expect(check).to.deep.include({ changed: true, msg: 'would run the statements (not read-only)' });
    const none = await mysqlQuery({ query: "SHOW DATABASES LIKE 'probe_db'", login: root }).run(ctx);
    expect(none.rows).to.deep.equal([]);
    const run = await mysqlQuery({ query: 'CREATE DATABASE probe_db; SELECT 2 AS two', login: root }).run(ctx);
    expect(run).to.deep.include({ changed: true });
    expect(run.rows).to.deep.equal([{ two: '2' }]);
  });

  it('mysql_db: create, no-op, change charset, refuse dropping tables, drop with force', async () => {
    const p = { name: 'vprotect', encoding: 'utf8mb4', collation: 'utf8mb4_general_ci', login: root };
    expect((await mysqlDb(p).run(withCheck(ctx, true))).changed).to.equal(true);
    expect((await mysqlDb(p).run(ctx)).msg).to.equal('create database vprotect');
    expect((await mysqlDb(p).run(ctx)).changed).to.equal(false);
    const alter = await mysqlDb({ ...p, encoding: 'latin1', collation: 'latin1_swedish_ci' }).run(ctx);
    expect(alter.changed).to.equal(true);
    await mysqlDb(p).run(ctx);
    await mysqlQuery({ query: 'CREATE TABLE vprotect.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO vprotect.t VALUES (1, "one")', login: root }).run(ctx);
    await mysqlDb({ name: 'scratch', login: root }).run(ctx);
    await mysqlQuery({ query: 'CREATE TABLE scratch.t (id INT)', login: root }).run(ctx);
    expect(await failure(mysqlDb({ name: 'scratch', state: 'absent', login: root }).run(ctx))).to.equal(
      'refusing to drop database scratch on localhost: it holds 1 table(s); set force: true to drop it with its data',
    );
    expect((await mysqlDb({ name: 'scratch', state: 'absent', force: true, login: root }).run(ctx)).changed).to.equal(true);
    expect((await mysqlDb({ name: 'scratch', state: 'absent', login: root }).run(ctx)).changed).to.equal(false);
  });

  it('mysql_user: create with grants, rerun no-op, password and grant changes only where they differ', async () => {
    const pw = `R3p'Lic"4\\ti0N #x`;
    const user = { name: 'replicator', host: '%', password: pw, privileges: { '*.*': ['REPLICATION SLAVE'] }, login: root };
    const created = await mysqlUser(user).run(ctx);
    expect(created.statements).to.deep.equal([
      "CREATE USER 'replicator'@'%' IDENTIFIED BY '********'",
      "GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%'",
    ]);
    expect(ctx.secrets).to.include(pw);
    const again = await mysqlUser(user).run(ctx);
    expect(again).to.deep.include({ changed: false, statements: [] });

    // the stored hash is what we compute: a new password is one ALTER USER
    const newPw = await mysqlUser({ ...user, password: 'other' }).run(ctx);
    expect(newPw.statements).to.deep.equal(["ALTER USER 'replicator'@'%' IDENTIFIED BY '********'"]);
    await mysqlUser(user).run(ctx);

    // REPLICATION CLIENT shows as BINLOG MONITOR on MariaDB 10.5+: still equal
    const grants = { ...user, privileges: { '*.*': ['REPLICATION SLAVE', 'REPLICATION CLIENT'], 'vprotect.*': ['SELECT'] } };
    expect((await mysqlUser(grants).run(ctx)).statements).to.deep.equal([
      "GRANT BINLOG MONITOR ON *.* TO 'replicator'@'%'",
      "GRANT SELECT ON `vprotect`.* TO 'replicator'@'%'",
    ]);
    expect((await mysqlUser(grants).run(ctx)).changed).to.equal(false);
    expect((await mysqlUser(user).run(ctx)).statements).to.deep.equal([
      "REVOKE BINLOG MONITOR ON *.* FROM 'replicator'@'%'",
      "REVOKE SELECT ON `vprotect`.* FROM 'replicator'@'%'",
    ]);
  });

  it('logs in with a user and a password full of quoting traps through a 0600 file it removes', async () => {
    const pw = `p'a"s\\s #;x`;
    await mysqlUser({ name: 'vp', host: 'localhost', password: pw, privileges: { 'vprotect.*': ['SELECT'] }, login: root }).run(ctx);
    const r = await mysqlQuery({ query: 'SELECT CURRENT_USER() AS me, COUNT(*) AS n FROM vprotect.t', login: { user: 'vp', password: pw, socket: db.socket } }).run(ctx);
    expect(r.rows).to.deep.equal([{ me: 'vp@localhost', n: '1' }]);
    expect(leftoverCredentialFiles()).to.deep.equal([]);
    const bad = await failure(mysqlQuery({ query: 'SELECT 1', login: { user: 'vp', password: 'wrong', socket: db.socket } }).run(ctx));
    expect(bad).to.match(/^mysql on localhost failed: ERROR 1045 \(28000\): Access denied for user 'vp'@'localhost' \(using password: YES\) \(check login.user\/login.password for vp\)$/);
    expect(leftoverCredentialFiles()).to.deep.equal([]);
  });

  it('mysqldump records the snapshot\'s own binlog coordinates; a rerun keeps the dump', async () => {
    const dest = path.join(db.dir, 'vprotect.sql');
    const primary = await mysqlReplication({ mode: 'primary_status', login: root }).run(ctx);
    expect(primary.primary?.file).to.equal('vprotect1-bin.000001');
    const dump = await mysqlDump({ databases: ['vprotect'], dest, login: root }).run(ctx);
    expect(dump.changed).to.equal(true);
    expect(dump.binlog).to.deep.equal(primary.primary);
    expect(readFileSync(dest, 'utf8')).to.contain(`-- CHANGE MASTER TO MASTER_LOG_FILE='${dump.binlog.file}', MASTER_LOG_POS=${dump.binlog.position};`);
    await mysqlQuery({ query: 'INSERT INTO vprotect.t VALUES (2, "two")', login: root }).run(ctx);
    const kept = await mysqlDump({ databases: ['vprotect'], dest, login: root }).run(ctx);
    expect(kept).to.deep.include({ changed: false, binlog: dump.binlog });
    const fresh = await mysqlDump({ databases: ['vprotect'], dest, overwrite: true, login: root }).run(ctx);
    expect(fresh.binlog.position).to.be.greaterThan(dump.binlog.position);
  });

  it('mysql_load refuses a database with tables, naming host, database, count and force; loads with force once', async () => {
    const dest = path.join(db.dir, 'vprotect.sql');
    expect(await failure(mysqlLoad({ database: 'vprotect', src: dest, login: root }).run(ctx))).to.equal(
      `refusing to load ${dest} into database vprotect on localhost: it already has 1 table(s) whose rows the dump would replace; ` +
        'set force: true to load it anyway',
    );
    await mysqlQuery({ query: 'DELETE FROM vprotect.t', login: root }).run(ctx);
    const check = await mysqlLoad({ database: 'vprotect', src: dest, force: true, login: root }).run(withCheck(ctx, true));
    expect(check.changed).to.equal(true);
    expect((await mysqlQuery({ query: 'SELECT COUNT(*) AS n FROM vprotect.t', login: root }).run(ctx)).rows).to.deep.equal([{ n: '0' }]);
    const loaded = await mysqlLoad({ database: 'vprotect', src: dest, force: true, login: root }).run(ctx);
    expect(loaded).to.deep.include({ changed: true, tablesBefore: 1 });
    expect((await mysqlQuery({ query: 'SELECT COUNT(*) AS n FROM vprotect.t', login: root }).run(ctx)).rows).to.deep.equal([{ n: '2' }]);
    // the same dump again: a no-op, even without force
    expect((await mysqlLoad({ database: 'vprotect', src: dest, login: root }).run(ctx)).changed).to.equal(false);
  });

  it('mysql_replication: replica status typed, CHANGE MASTER only when it points elsewhere, reset', async () => {
    expect((await mysqlReplication({ mode: 'replica_status', login: root }).run(ctx)).replica).to.equal(undefined);
    const p = { mode: 'change_primary', primaryHost: '127.0.0.1', primaryPort: 9, primaryUser: 'replicator', primaryPassword: 'pw', logFile: 'x-bin.000002', logPos: 501051, start: false, login: root } as const;
    const changed = await mysqlReplication(p).run(ctx);
    expect(changed.msg).to.equal('replicate from replicator@127.0.0.1:9 at x-bin.000002:501051');
    expect(changed.replica).to.deep.include({
      ioRunning: false, sqlRunning: false, ioState: 'No', masterHost: '127.0.0.1', masterUser: 'replicator', masterPort: 9,
      masterLogFile: 'x-bin.000002', readMasterLogPos: 501051, secondsBehindMaster: null, lastError: '',
    });
    expect((await mysqlReplication(p).run(ctx)).changed).to.equal(false);
    expect((await mysqlReplication({ mode: 'reset_replica', all: true, login: root }).run(ctx)).changed).to.equal(true);
    expect((await mysqlReplication({ mode: 'replica_status', login: root }).run(ctx)).replica).to.equal(undefined);
  });

  it('mysql_replication fails with the replica\'s own error when the primary cannot be reached (a mistyped host)', async () => {
    const closed = await freePort();
    const msg = await failure(
      mysqlReplication({ mode: 'change_primary', primaryHost: '127.0.0.1', primaryPort: closed, primaryUser: 'replicator', primaryPassword: 'pw', waitRunningSeconds: 60, login: root }).run(ctx),
    );
    expect(msg).to.match(new RegExp(`^replication on localhost is not running after start \\(IO Connecting, SQL Yes from replicator@127\\.0\\.0\\.1:${closed}\\): error connecting to master 'replicator@127\\.0\\.0\\.1:${closed}'`));
    await mysqlReplication({ mode: 'reset_replica', all: true, login: root }).run(ctx);
    expect((await mysqlReplication({ mode: 'replica_status', login: root }).run(ctx)).replica).to.equal(undefined);
  });

  it('probe_record_write keeps the drills\' rows of the last 90 days and drops only older ones', async () => {
    await mysqlQuery({ query: 'CREATE DATABASE IF NOT EXISTS vprotect', login: root }).run(ctx);
    const write = () => probeRecordWrite({ database: 'vprotect', table: 'ha_drill_probe', login: root }).run(ctx);
    const first = await write();
    await mysqlQuery({
      query:
        "INSERT INTO vprotect.ha_drill_probe (run_id, written_on, written_at) VALUES ('old', 'vprotect1', NOW() - INTERVAL 91 DAY), ('recent', 'vprotect1', NOW() - INTERVAL 89 DAY)",
      login: root,
    }).run(ctx);
    const second = await write();
    const runs = (await mysqlQuery({ query: 'SELECT run_id FROM vprotect.ha_drill_probe ORDER BY id', login: root }).run(ctx)).rows.map((r) => r.run_id);
    expect(runs).to.deep.equal([first.record!.runId, 'recent', second.record!.runId]);
  });
});

describe('mysql master<->master replication between two real MariaDB servers (loopback)', function () {
  this.timeout(180_000);
  let a: ThrowawayMariaDb;
  let b: ThrowawayMariaDb;
  let ctx: LocalContext;
  const pw = 'R3pLic4ti0N';

  before(async function () {
    if (!haveMariaDb()) throw new Error('MariaDB is needed: apt-get install mariadb-server mariadb-client');
    a = await startMariaDb({ serverId: 1, tcp: true, binlogBase: 'vprotect1-bin' });
    b = await startMariaDb({ serverId: 2, tcp: true, binlogBase: 'vprotect2-bin' });
    ctx = await localContext();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('follows the how-to with the dump\'s own coordinates, both ways, and reruns as no-ops', async () => {
    const A = { socket: a.socket };
    const B = { socket: b.socket };
    const dumpFile = path.join(tmpdir(), `vprotect-${process.pid}.sql`);
    const steps = async () => {
      const results = [];
      for (const login of [A, B]) {
        results.push(await mysqlUser({ name: 'replicator', password: pw, privileges: { '*.*': ['REPLICATION SLAVE'] }, login }).run(ctx));
      }
      results.push(await mysqlDb({ name: 'vprotect', login: A }).run(ctx));
      await mysqlQuery({ query: 'CREATE TABLE IF NOT EXISTS vprotect.t (id INT PRIMARY KEY)', login: A }).run(ctx);
      const dump = await mysqlDump({ databases: ['vprotect'], dest: dumpFile, login: A }).run(ctx);
      results.push(dump);
      results.push(await mysqlLoad({ database: 'vprotect', src: dumpFile, login: B }).run(ctx));
      results.push(
        await mysqlReplication({ mode: 'change_primary', primaryHost: '127.0.0.1', primaryPort: a.port, primaryUser: 'replicator', primaryPassword: pw, logFile: dump.binlog.file, logPos: dump.binlog.position, waitRunningSeconds: 60, login: B }).run(ctx),
      );
      const bPos = await mysqlReplication({ mode: 'primary_status', login: B }).run(ctx);
      results.push(
        await mysqlReplication({ mode: 'change_primary', primaryHost: '127.0.0.1', primaryPort: b.port, primaryUser: 'replicator', primaryPassword: pw, logFile: bPos.primary!.file, logPos: bPos.primary!.position, waitRunningSeconds: 60, login: A }).run(ctx),
      );
      return results;
    };
    try {
      const first = await steps();
      expect(first.every((r) => r.changed), first.map((r) => r.msg).join('; ')).to.equal(true);
      for (const r of first.slice(-2)) expect(r).to.have.nested.property('replica.ioRunning', true);
      await mysqlQuery({ query: 'INSERT INTO vprotect.t VALUES (1)', login: A }).run(ctx);
      await mysqlQuery({ query: 'INSERT INTO vprotect.t VALUES (2)', login: B }).run(ctx);
      for (const login of [A, B]) {
        let n = '';
        for (let i = 0; i < 100 && n !== '2'; i++) {
          n = (await mysqlQuery({ query: 'SELECT COUNT(*) AS n FROM vprotect.t', login }).run(ctx)).rows[0]?.n ?? '';
          if (n !== '2') await new Promise((res) => setTimeout(res, 200));
        }
        expect(n, `rows on ${login.socket}`).to.equal('2');
      }
      const second = await steps();
      expect(second.map((r) => r.changed)).to.deep.equal(second.map(() => false));

      // Rows one side holds and the other lacks (written with the binary log off there, so never replicated):
      // a multiset per table, NULL told apart from 'NULL', a table only B has counted whole.
      await mysqlQuery({ query: "CREATE TABLE vprotect.n (k INT, v VARCHAR(8)); INSERT INTO vprotect.n VALUES (1, NULL), (1, 'NULL')", login: A }).run(ctx);
      for (let i = 0; i < 100 && !(await mysqlQuery({ query: "SHOW TABLES FROM vprotect LIKE 'n'", login: B }).run(ctx)).rows.length; i++) await new Promise((res) => setTimeout(res, 200));
      await mysqlQuery({ query: "SET sql_log_bin = 0; INSERT INTO vprotect.n VALUES (1, NULL); UPDATE vprotect.n SET v = 'x' WHERE v = 'NULL'; CREATE TABLE vprotect.only_b (id INT); INSERT INTO vprotect.only_b VALUES (1), (2)", login: B }).run(ctx);
      const cmp = await rowsOnlyOn(ctx, ctx, B, 'vprotect', [], A);
      expect(cmp).to.deep.include({ tables: 3, rows: 7, missingTotal: 4 });
      expect(cmp.missing).to.deep.equal([{ table: 'n', rows: 2 }, { table: 'only_b', rows: 2 }]);
      expect((await rowsOnlyOn(ctx, ctx, A, 'vprotect', ['n'], B)).missingTotal).to.equal(0);
    } finally {
      execFileSync('rm', ['-f', dumpFile, `${dumpFile}.loaded`]);
    }
  });
});
