// mysql_query, mysql_db, mysql_user, mysql_replication, mysqldump, mysql_load on a scripted mysql client.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { mysqlDb, mysqlDump, mysqlLoad, mysqlQuery, mysqlReplication, mysqlUser } from '../../../../modules/mysql';
import { dumpCoordinates } from '../../../../modules/mysql/dump';
import { nativePasswordHash } from '../../../../modules/mysql/user';
import { moduleContext } from '../../../support/module-context';
import { changingSql, fixture, mysqlHost, resultSet } from './mysql-fakes';
import { failureMessage as failure } from '../../../support/failure';

const REPL_HASH = '*86C473B179B084A459DCD09F62AC1E3DA0B24802'; // recorded: PASSWORD('R3pLic4ti0N') on MariaDB 10.11
const replicatorRow = resultSet([{ Host: '%', User: 'replicator', Password: REPL_HASH, plugin: 'mysql_native_password', authentication_string: REPL_HASH }]);
const replicatorGrants = fixture('show-grants.xml').split('<?xml version="1.0"?>')[1]!;

describe('mysql_query', () => {
  it('runs read-only queries even under --check, reporting no change', async () => {
    const { host, sql } = mysqlHost('db1', [[/SELECT/, resultSet([{ n: '3' }])]]);
    const r = await mysqlQuery({ query: 'SELECT COUNT(*) AS n FROM t' }).run(moduleContext(host, { check: true }));
    expect(r).to.deep.include({ changed: false, rows: [{ n: '3' }] });
    expect(sql).to.deep.equal(['SELECT COUNT(*) AS n FROM t']);
  });

  it('reports changing statements under --check without running them, and runs them otherwise', async () => {
    const { host, sql } = mysqlHost('db1', []);
    const r = await mysqlQuery({ query: 'FLUSH PRIVILEGES' }).run(moduleContext(host, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would run the statements (not read-only)' });
    expect(sql).to.deep.equal([]);
    expect((await mysqlQuery({ query: 'FLUSH PRIVILEGES' }).run(moduleContext(host))).changed).to.equal(true);
    expect(sql).to.deep.equal(['FLUSH PRIVILEGES']);
  });
});

describe('mysql_db', () => {
  const info = (tables: string) => resultSet([{ charset: 'utf8mb4', collation: 'utf8mb4_general_ci', tables }]);

  it('creates a missing database, and is a no-op when it exists as wanted', async () => {
    const missing = mysqlHost('db1', []);
    const r = await mysqlDb({ name: 'vprotect', encoding: 'utf8mb4' }).run(moduleContext(missing.host));
    expect(r).to.deep.include({ changed: true, msg: 'create database vprotect', existed: false });
    expect(changingSql(missing.sql)).to.deep.equal(['CREATE DATABASE `vprotect` CHARACTER SET `utf8mb4`']);
    const present = mysqlHost('db1', [[/SCHEMATA/, info('3')]]);
    expect((await mysqlDb({ name: 'vprotect', encoding: 'utf8mb4' }).run(moduleContext(present.host))).changed).to.equal(false);
    expect(changingSql(present.sql)).to.deep.equal([]);
  });

  it('alters a differing collation; --check only reports', async () => {
    const h = mysqlHost('db1', [[/SCHEMATA/, info('3')]]);
    const r = await mysqlDb({ name: 'vprotect', collation: 'utf8mb4_bin' }).run(moduleContext(h.host, { check: true }));
    expect(r.msg).to.equal('would change database vprotect from utf8mb4/utf8mb4_general_ci to COLLATE `utf8mb4_bin`');
    expect(changingSql(h.sql)).to.deep.equal([]);
  });

  it('refuses to drop a database holding tables unless force', async () => {
    const h = mysqlHost('db1', [[/SCHEMATA/, info('42')]]);
    expect(await failure(mysqlDb({ name: 'vprotect', state: 'absent' }).run(moduleContext(h.host)))).to.equal(
      'refusing to drop database vprotect on db1: it holds 42 table(s); set force: true to drop it with its data',
    );
    expect(changingSql(h.sql)).to.deep.equal([]);
    await mysqlDb({ name: 'vprotect', state: 'absent', force: true }).run(moduleContext(h.host));
    expect(changingSql(h.sql)).to.deep.equal(['DROP DATABASE `vprotect`']);
  });
});

describe('mysql_user', () => {
  const params = { name: 'replicator', password: 'R3pLic4ti0N', privileges: { '*.*': ['REPLICATION SLAVE'] } };

  it('computes the mysql_native_password hash MariaDB stores', () => {
    expect(nativePasswordHash('R3pLic4ti0N')).to.equal(REPL_HASH);
  });

  it('creates the user and grants, the password only on stdin and redacted in the result', async () => {
    const h = mysqlHost('db1', []);
    const ctx = moduleContext(h.host);
    const r = await mysqlUser(params).run(ctx);
    expect(r.statements).to.deep.equal(["CREATE USER 'replicator'@'%' IDENTIFIED BY '********'", "GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%'"]);
    // Only the hash reaches the server (MariaDB binlogs CREATE USER as sent).
    expect(changingSql(h.sql)).to.deep.equal([`CREATE USER 'replicator'@'%' IDENTIFIED BY PASSWORD '${REPL_HASH}';\nGRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';`]);
    expect(h.host.commands.join('\n')).not.to.contain('R3pLic4ti0N');
    expect(h.sql.join('\n')).not.to.contain('R3pLic4ti0N');
    expect(ctx.secrets).to.include('R3pLic4ti0N');
  });

  it('is a no-op when the stored hash and SHOW GRANTS match (second run)', async () => {
    const h = mysqlHost('db1', [[/FROM mysql\.user/, replicatorRow], [/^SHOW GRANTS/, replicatorGrants]]);
    const r = await mysqlUser(params).run(moduleContext(h.host));
    expect(r).to.deep.include({ changed: false, statements: [], existed: true });
    expect(changingSql(h.sql)).to.deep.equal([]);
  });

  it('changes only the password when only it differs; grants only when they differ (revoking first)', async () => {
    const h = mysqlHost('db1', [[/FROM mysql\.user/, replicatorRow], [/^SHOW GRANTS/, replicatorGrants]]);
    await mysqlUser({ ...params, password: 'new' }).run(moduleContext(h.host));
    expect(changingSql(h.sql)).to.deep.equal([`ALTER USER 'replicator'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash('new')}';`]);
    const g = mysqlHost('db1', [[/FROM mysql\.user/, replicatorRow], [/^SHOW GRANTS/, replicatorGrants]]);
    const r = await mysqlUser({ ...params, privileges: { '*.*': ['ALL'] } }).run(moduleContext(g.host, { diff: true }));
    expect(r.statements).to.deep.equal([
      "REVOKE REPLICATION SLAVE ON *.* FROM 'replicator'@'%'",
      "GRANT ALL PRIVILEGES ON *.* TO 'replicator'@'%'",
    ]);
    expect(r.diffs).to.deep.equal([{ path: "grants of 'replicator'@'%'", before: '*.*: REPLICATION SLAVE\n', after: '*.*: ALL PRIVILEGES\n' }]);
  });

  it('reads recorded MariaDB grants with aliases and GRANT OPTION as equal', async () => {
    const vpGrants = fixture('show-grants.xml').split('<?xml version="1.0"?>')[2]!;
    const h = mysqlHost('db1', [[/FROM mysql\.user/, resultSet([{ plugin: 'mysql_native_password', authentication_string: '*X' }])], [/^SHOW GRANTS/, vpGrants]]);
    const r = await mysqlUser({
      name: 'vp',
      host: 'localhost',
      privileges: { '*.*': ['RELOAD', 'REPLICATION CLIENT', 'GRANT OPTION'], 'vprotect.*': ['select', 'insert', 'update'] },
    }).run(moduleContext(h.host));
    expect(r.changed).to.equal(false);
  });

  it('under --check sends only reads', async () => {
    const h = mysqlHost('db1', [[/FROM mysql\.user/, replicatorRow], [/^SHOW GRANTS/, replicatorGrants]]);
    const r = await mysqlUser({ ...params, password: 'new', state: 'present' }).run(moduleContext(h.host, { check: true }));
    expect(r.msg).to.equal("would run ALTER USER for 'replicator'@'%'");
    expect(changingSql(h.sql)).to.deep.equal([]);
  });

  it('drops with state absent', async () => {
    const h = mysqlHost('db1', [[/FROM mysql\.user/, replicatorRow]]);
    await mysqlUser({ name: 'replicator', state: 'absent' }).run(moduleContext(h.host));
    expect(changingSql(h.sql)).to.deep.equal(["DROP USER 'replicator'@'%';"]);
  });
});

describe('mysql_replication', () => {
  const change = {
    mode: 'change_primary',
    primaryHost: '127.0.0.1',
    primaryPort: 33761,
    primaryUser: 'replicator',
    primaryPassword: 'R3pLic4ti0N',
    logFile: 'vprotect1-bin.000001',
    logPos: 664,
  } as const;

  it('primary_status gives {file, position}; refuses clearly when binary logging is off', async () => {
    const h = mysqlHost('db1', [[/SHOW MASTER STATUS/, fixture('show-master-status.xml')]]);
    expect((await mysqlReplication({ mode: 'primary_status' }).run(moduleContext(h.host))).primary).to.deep.equal({ file: 'vprotect1-bin.000001', position: 1333 });
    const off = mysqlHost('db2', [[/SHOW MASTER STATUS/, resultSet([])]]);
    expect(await failure(mysqlReplication({ mode: 'primary_status' }).run(moduleContext(off.host)))).to.equal(
      'binary logging is off on db2 (SHOW MASTER STATUS is empty): set log_bin (log-bin) in the [mysqld] section and restart',
    );
  });

  it('replica_status types the recorded running status', async () => {
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-running.xml')]]);
    const r = await mysqlReplication({ mode: 'replica_status' }).run(moduleContext(h.host));
    expect(r.replica).to.deep.include({
      ioRunning: true, sqlRunning: true, ioState: 'Yes', masterHost: '127.0.0.1', masterUser: 'replicator', masterPort: 33761,
      readMasterLogPos: 664, execMasterLogPos: 664, secondsBehindMaster: 0, lastError: '', lastIoError: '',
    });
  });

  it('change_primary is a no-op when already replicating from that primary', async () => {
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-running.xml')]]);
    const r = await mysqlReplication(change).run(moduleContext(h.host));
    expect(r).to.deep.include({ changed: false, msg: 'replicating from replicator@127.0.0.1:33761' });
    expect(changingSql(h.sql)).to.deep.equal([]);
  });

  it('change_primary issues STOP, CHANGE MASTER TO with the coordinates, START when pointed elsewhere', async () => {
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-configured.xml')]]);
    const ctx = moduleContext(h.host);
    const r = await mysqlReplication(change).run(ctx);
    expect(r.msg).to.equal('replicate from replicator@127.0.0.1:33761 at vprotect1-bin.000001:664 (was replicator@198.18.0.12:3306)');
    expect(changingSql(h.sql)).to.deep.equal([
      "STOP SLAVE; CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = 33761, MASTER_USER = 'replicator', " +
        "MASTER_PASSWORD = 'R3pLic4ti0N', MASTER_LOG_FILE = 'vprotect1-bin.000001', MASTER_LOG_POS = 664; START SLAVE",
    ]);
    expect(ctx.secrets).to.include('R3pLic4ti0N');
  });

  it('change_primary only starts a stopped replica already pointed at that primary (no re-positioning)', async () => {
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-auth-error.xml')]]);
    const r = await mysqlReplication(change).run(moduleContext(h.host));
    expect(r.msg).to.equal('start replica (already pointed at 127.0.0.1)');
    expect(changingSql(h.sql)).to.deep.equal(['START SLAVE']);
  });

  it('under --check changes nothing', async () => {
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-none.xml')]]);
    const r = await mysqlReplication(change).run(moduleContext(h.host, { check: true }));
    expect(r.changed).to.equal(true);
    expect(r.msg).to.match(/^would replicate from /);
    expect(changingSql(h.sql)).to.deep.equal([]);
  });

  it('start/stop/reset act only when needed', async () => {
    const running = mysqlHost('db2', [[/SHOW SLAVE STATUS/, fixture('show-slave-status-running.xml')]]);
    expect((await mysqlReplication({ mode: 'start_replica' }).run(moduleContext(running.host))).changed).to.equal(false);
    await mysqlReplication({ mode: 'stop_replica' }).run(moduleContext(running.host));
    await mysqlReplication({ mode: 'reset_replica', all: true }).run(moduleContext(running.host));
    expect(changingSql(running.sql)).to.deep.equal(['STOP SLAVE', 'STOP SLAVE; RESET SLAVE ALL']);
    const none = mysqlHost('db2', []);
    expect(await failure(mysqlReplication({ mode: 'start_replica' }).run(moduleContext(none.host)))).to.equal(
      'db2 is not configured as a replica: run change_primary first',
    );
  });

  it('waits for the threads to run and fails with the replica\'s own error (a wrong host, user or password)', async () => {
    const states = [fixture('show-slave-status-configured.xml'), fixture('show-slave-status-auth-error.xml')];
    const h = mysqlHost('db2', [[/SHOW SLAVE STATUS/, () => states.shift() ?? fixture('show-slave-status-auth-error.xml')]]);
    const msg = await failure(mysqlReplication({ ...change, waitRunningSeconds: 30 }).run(moduleContext(h.host)));
    expect(msg).to.equal(
      "replication on db2 is not running after start (IO Connecting, SQL Yes from replicator@127.0.0.1:33761): error connecting to master " +
        "'replicator@127.0.0.1:33761' - retry-time: 60  maximum-retries: 100000  message: Access denied for user 'replicator'@'localhost' (using password: YES)",
    );
    const ok = [fixture('show-slave-status-configured.xml'), fixture('show-slave-status-running.xml')];
    const good = mysqlHost('db2', [[/SHOW SLAVE STATUS/, () => ok.shift() ?? fixture('show-slave-status-running.xml')]]);
    const r = await mysqlReplication({ ...change, waitRunningSeconds: 30 }).run(moduleContext(good.host));
    expect(r.replica).to.deep.include({ ioRunning: true, sqlRunning: true });
  });

  it('rejects half coordinates before touching a host', () => {
    expect(() => mysqlReplication({ ...change, logPos: undefined }).preflight?.()).to.throw('give logFile and logPos together');
  });
});

describe('mysqldump', () => {
  const dest = '/tmp/vprotect.sql';
  const head = fixture('mysqldump-master-data-2-head.sql');
  const comment = head.split('\n').find((l) => l.startsWith('-- CHANGE MASTER'))!;
  const grep = sh`grep -m1 -E ${'^-- CHANGE (MASTER|REPLICATION SOURCE) TO '} ${dest}`;

  it('reads coordinates from MariaDB and MySQL 8 dump comments', () => {
    expect(dumpCoordinates(head)).to.deep.equal({ file: 'vprotect1-bin.000001', position: 1679 });
    expect(dumpCoordinates("-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', SOURCE_LOG_POS=157;\n")).to.deep.equal({ file: 'binlog.000002', position: 157 });
  });

  it('dumps a consistent snapshot with --master-data=2 and returns the dump\'s own coordinates', async () => {
    const { host } = mysqlHost('vprotect1', []);
    host.on(sh`test -e ${dest}`, { code: 1 });
    host.on('mysqldump --help', { stdout: '  --master-data[=#]   This causes the binary log position\n' });
    host.on(/^umask 077 && mysqldump /, { code: 0 });
    host.on(grep, { stdout: comment + '\n' });
    const r = await mysqlDump({ databases: ['vprotect'], dest }).run(moduleContext(host));
    expect(r).to.deep.include({ changed: true, binlog: { file: 'vprotect1-bin.000001', position: 1679 }, dest });
    expect(host.commands).to.deep.equal([
      sh`test -e ${dest}`,
      'mysqldump --help',
      'umask 077 && mysqldump --single-transaction --master-data=2 --routines --triggers --databases vprotect > /tmp/vprotect.sql.partial && mv /tmp/vprotect.sql.partial /tmp/vprotect.sql',
      grep,
    ]);
  });

  it('uses --source-data=2 where mysqldump has it (MySQL 8.0.26+)', async () => {
    const { host } = mysqlHost('vprotect1', []);
    host.on(sh`test -e ${dest}`, { code: 1 });
    host.on('mysqldump --help', { stdout: '  --source-data[=#]   ...\n  --master-data[=#]   Deprecated\n' });
    host.on(/^umask 077 && mysqldump /, { code: 0 });
    host.on(grep, { stdout: "-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', SOURCE_LOG_POS=157;\n" });
    const r = await mysqlDump({ databases: ['vprotect'], dest }).run(moduleContext(host));
    expect(host.commands[2]).to.contain('--source-data=2');
    expect(r.binlog).to.deep.equal({ file: 'binlog.000002', position: 157 });
  });

  it('keeps an existing dump (second run) and fails clearly when it lacks coordinates', async () => {
    const { host } = mysqlHost('vprotect1', []);
    host.on(sh`test -e ${dest}`, { code: 0 });
    host.on(grep, { stdout: comment + '\n' });
    const r = await mysqlDump({ databases: ['vprotect'], dest }).run(moduleContext(host));
    expect(r).to.deep.include({ changed: false, msg: `kept the existing dump ${dest}` });
    const bare = mysqlHost('vprotect1', []).host;
    bare.on(sh`test -e ${dest}`, { code: 0 });
    bare.on(grep, { code: 1 });
    expect(await failure(mysqlDump({ databases: ['vprotect'], dest }).run(moduleContext(bare)))).to.match(/has no CHANGE MASTER comment: binary logging was off/);
  });

  it('under --check dumps nothing and gives the current coordinates', async () => {
    const { host } = mysqlHost('vprotect1', [[/SHOW MASTER STATUS/, fixture('show-master-status.xml')]]);
    host.on(sh`test -e ${dest}`, { code: 1 });
    const r = await mysqlDump({ databases: ['vprotect'], dest }).run(moduleContext(host, { check: true }));
    expect(r).to.deep.include({ changed: true, binlog: { file: 'vprotect1-bin.000001', position: 1333 } });
    expect(host.commands.some((c) => c.includes('mysqldump'))).to.equal(false);
  });
});

describe('mysql_load', () => {
  const src = '/tmp/vprotect.sql';
  const sha = 'ab'.repeat(32);
  const info = (tables: string) => resultSet([{ charset: 'utf8mb4', collation: 'utf8mb4_general_ci', tables }]);
  const loadHost = (tables: string | undefined) => {
    const h = mysqlHost('vprotect2', tables === undefined ? [] : [[/SCHEMATA/, info(tables)]]);
    h.host.on(sh`sha256sum ${src}`, { stdout: `${sha}  ${src}\n` });
    h.host.on(sh`mysql vprotect < ${src}`, { code: 0 });
    return h;
  };

  it('refuses a database with tables, naming host, database, table count and the parameter', async () => {
    const h = loadHost('42');
    expect(await failure(mysqlLoad({ database: 'vprotect', src }).run(moduleContext(h.host)))).to.equal(
      'refusing to load /tmp/vprotect.sql into database vprotect on vprotect2: it already has 42 table(s) whose rows the dump ' +
        'would replace; set force: true to load it anyway',
    );
    const named = await failure(mysqlLoad({ database: 'vprotect', src, forceVariable: 'mariadb_replace_peer_database' }).run(moduleContext(h.host)));
    expect(named).to.match(/would replace; set mariadb_replace_peer_database: true to load it anyway$/);
    expect(h.host.commands.some((c) => c.includes('<'))).to.equal(false);
  });

  it('creates a missing database, loads, and leaves a marker; the same dump again is a no-op', async () => {
    const h = loadHost(undefined);
    const r = await mysqlLoad({ database: 'vprotect', src }).run(moduleContext(h.host));
    expect(r).to.deep.include({ changed: true, tablesBefore: 0, sha256: sha });
    expect(changingSql(h.sql)).to.deep.equal(['CREATE DATABASE `vprotect`']);
    expect(h.host.commands).to.include(sh`mysql vprotect < ${src}`);
    expect(h.host.files.get(`${src}.loaded`)?.content.toString()).to.equal(`database=vprotect sha256=${sha}\n`);
    const again = loadHost('42');
    again.host.file(`${src}.loaded`, `database=vprotect sha256=${sha}\n`);
    expect((await mysqlLoad({ database: 'vprotect', src }).run(moduleContext(again.host))).changed).to.equal(false);
  });

  it('names a dump that is not there (the how-to copies /tmp/vprotect_rep.sql, which was never written)', async () => {
    const h = mysqlHost('vprotect2', []);
    h.host.on(sh`sha256sum /tmp/vprotect_rep.sql`, { code: 1, stderr: 'sha256sum: /tmp/vprotect_rep.sql: No such file or directory\n' });
    expect(await failure(mysqlLoad({ database: 'vprotect', src: '/tmp/vprotect_rep.sql' }).run(moduleContext(h.host)))).to.equal(
      'dump /tmp/vprotect_rep.sql is not readable on vprotect2: sha256sum: /tmp/vprotect_rep.sql: No such file or directory',
    );
  });

  it('loads over tables with force; --check only reports', async () => {
    const check = loadHost('42');
    const r = await mysqlLoad({ database: 'vprotect', src, force: true }).run(moduleContext(check.host, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would load /tmp/vprotect.sql into vprotect' });
    expect(check.host.commands.some((c) => c.includes('<'))).to.equal(false);
    const forced = loadHost('42');
    await mysqlLoad({ database: 'vprotect', src, force: true }).run(moduleContext(forced.host));
    expect(forced.host.commands).to.include(sh`mysql vprotect < ${src}`);
  });
});
