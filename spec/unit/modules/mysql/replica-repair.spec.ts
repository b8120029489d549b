// mysql_replica_repair on scripted replicas and sources: each state of a broken-but-configured replica gets its
// own diagnosis (which side, which position, what is done), the repairs keep the coordinates, and every state
// that would skip or replay an event is refused with the exact message a user sees, nothing sent to the server.
import { expect } from 'chai';
import { mysqlReplicaRepair, type ReplicaSource } from '../../../../modules/mysql/replica-repair';
import { replicaStatus } from '../../../../modules/mysql/replication';
import type { MysqlSurvey } from '../../../../modules/mysql/survey';
import { mariadbPairPlan, type PairNode } from '../../../../roles/mariadb_master_master/pair-plan';
import { moduleContext } from '../../../support/module-context';
import { failureMessage as failure } from '../../../support/failure';
import { changingSql, mysqlHost, resultSet, type MysqlHost } from './mysql-fakes';

const SOURCE: ReplicaSource = { host: 'vprotect2', address: '198.18.0.12', port: 3306, user: 'replicator', password: 'R3pLic4ti0N' };
const DATADIR = '/var/lib/mysql/';

/** SHOW SLAVE STATUS of vprotect1 replicating vprotect2, caught up at mysqld-bin.000002:1234 and running. */
const RUNNING: Record<string, string> = {
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Master_Host: '198.18.0.12',
  Master_User: 'replicator',
  Master_Port: '3306',
  Master_Log_File: 'mysqld-bin.000002',
  Read_Master_Log_Pos: '1234',
  Relay_Master_Log_File: 'mysqld-bin.000002',
  Exec_Master_Log_Pos: '1234',
  Relay_Log_File: 'mysqld-relay-bin.000003',
  Last_IO_Errno: '0',
  Last_IO_Error: '',
  Last_SQL_Errno: '0',
  Last_SQL_Error: '',
  Using_Gtid: 'No',
};

const MASTER_INFO = '33\nmysqld-bin.000002\n1234\n198.18.0.12\nreplicator\nR3pLic4ti0N\n3306\n60\n';

interface ServerOptions {
  /** SHOW SLAVE STATUS until a changing statement reaches it (then RUNNING); undefined: not a replica. */
  readonly status?: Record<string, string>;
  /** SHOW BINARY LOGS. */
  readonly logs?: readonly string[];
  /** Older binary logs still in the data directory (not in the index). */
  readonly oldSeries?: readonly string[];
  /** What mysqlbinlog prints. */
  readonly binlog?: string;
  readonly relayPresent?: boolean;
  readonly relayBase?: string | null;
}

/** A scripted MariaDB server: a replica in `status` (running once repaired) and a source of `logs`. */
function server(name: string, o: ServerOptions = {}): MysqlHost {
  let repaired = false;
  const logs = o.logs ?? ['mysqld-bin.000001', 'mysqld-bin.000002'];
  const s = mysqlHost(name, [
    [/^SHOW SLAVE STATUS$/, () => (o.status ? resultSet([repaired ? RUNNING : o.status]) : '')],
    [/^SHOW BINARY LOGS$/, resultSet(logs.map((l) => ({ Log_name: l, File_size: '4096' })))],
    [/^SELECT @@datadir AS d$/, resultSet([{ d: DATADIR }])],
    [/^SELECT @@relay_log_basename AS b$/, resultSet([{ b: o.relayBase === undefined ? null : o.relayBase }])],
    [/^(STOP|START) SLAVE/, () => ((repaired = true), '')],
  ]);
  s.host.on(/^test -e /, { code: o.relayPresent === false ? 1 : 0 });
  s.host.on(/^ls -1 -- /, { stdout: [...(o.oldSeries ?? []), ...logs, 'mysqld-bin.index', 'ibdata1'].join('\n') + '\n' });
  s.host.on(/^mysqlbinlog /, { stdout: o.binlog ?? '' });
  s.host.file(`${DATADIR}master.info`, MASTER_INFO);
  return s;
}

interface Pair {
  readonly replica: MysqlHost;
  readonly source: MysqlHost;
  run(opts?: { check?: boolean }): ReturnType<ReturnType<typeof mysqlReplicaRepair>['run']>;
}

/** vprotect1 (the replica) in state `status`, its relay log as `source` says; vprotect2 (its source) as `source` says. */
function pair(status: Record<string, string>, source: ServerOptions = {}): Pair {
  const replica = server('vprotect1', { status, relayPresent: source.relayPresent, relayBase: source.relayBase });
  const src = server('vprotect2', source);
  return {
    replica,
    source: src,
    run: (o = {}) => mysqlReplicaRepair({ source: SOURCE, waitRunningSeconds: 1 }).run(moduleContext(replica.host, { check: o.check, peers: [src.host] })),
  };
}

/** mysqlbinlog's headers for a log holding `types` after the start position (each printed file opens with its format description). */
const binlog = (...types: string[]): string =>
  ['#261201 21:07:22 server id 2  end_log_pos 256 CRC32 0xc92cbb27 \tStart: binlog v 4', ...types.map((t, i) => `#261201 21:07:24 server id 2  end_log_pos ${1300 + i} CRC32 0x645f20e5 \t${t}`)].join('\n');

describe('mysql_replica_repair: a replica that follows its source, diagnosed before anything changes', () => {
  it('running: nothing to do, nothing sent', async () => {
    const p = pair(RUNNING);
    const r = await p.run();
    expect(r).to.deep.include({ changed: false, msg: 'vprotect1 replicates vprotect2 from mysqld-bin.000002:1234, running' });
    expect(changingSql(p.replica.sql)).to.deep.equal([]);
  });

  it('stopped without an error: started where it stopped (no CHANGE MASTER); --check only says so', async () => {
    const stopped = { ...RUNNING, Slave_IO_Running: 'No', Slave_SQL_Running: 'No' };
    const checked = pair(stopped);
    expect((await checked.run({ check: true })).msg).to.equal(
      'would start the replica: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234; its threads are stopped (IO No, SQL No): started where they stopped',
    );
    expect(changingSql(checked.replica.sql)).to.deep.equal([]);
    const p = pair(stopped);
    expect((await p.run()).changed).to.equal(true);
    expect(changingSql(p.replica.sql)).to.deep.equal(['START SLAVE;']);
  });

  it("other credentials than the role's (the how-to's password): replaced in place, the coordinates kept", async () => {
    const p = pair({ ...RUNNING, Slave_IO_Running: 'Connecting', Last_IO_Errno: '1045', Last_IO_Error: "error connecting to master 'replicator@198.18.0.12:3306'" });
    const r = await p.run();
    expect(r.msg).to.equal(
      "replace the replication credentials: vprotect1 logs in to vprotect2 with other credentials than the role's replication user: they are replaced, the coordinates (mysqld-bin.000002:1234) kept",
    );
    expect(changingSql(p.replica.sql)).to.deep.equal(["STOP SLAVE; CHANGE MASTER TO MASTER_USER = 'replicator', MASTER_PASSWORD = 'R3pLic4ti0N'; START SLAVE;"]);
  });

  it('its relay log gone (renamed relay_log): fetched again from the source at the last event it applied', async () => {
    const p = pair({ ...RUNNING, Slave_SQL_Running: 'No', Last_SQL_Errno: '1594', Last_SQL_Error: 'Relay log read failure' }, { relayPresent: false });
    const r = await p.run();
    expect(r.msg).to.equal(
      'resume at mysqld-bin.000002:1234: vprotect1\'s relay log mysqld-relay-bin.000003 is gone: it is fetched again from vprotect2 at mysqld-bin.000002:1234, the last event vprotect1 applied',
    );
    expect(changingSql(p.replica.sql)).to.deep.equal([
      "STOP SLAVE; RESET SLAVE ALL; CHANGE MASTER TO MASTER_HOST = '198.18.0.12', MASTER_PORT = 3306, MASTER_USER = 'replicator', MASTER_PASSWORD = 'R3pLic4ti0N', " +
        "MASTER_LOG_FILE = 'mysqld-bin.000002', MASTER_LOG_POS = 1234; START SLAVE;",
    ]);
  });

  it('the source renamed its binary log and wrote nothing after the position in the old one: resumed at the start of the new one', async () => {
    const p = pair(RUNNING, { logs: ['vprotect2-bin.000001'], oldSeries: ['mysqld-bin.000001', 'mysqld-bin.000002'], binlog: binlog('Stop') });
    const checked = await p.run({ check: true });
    expect(checked.msg).to.equal(
      'would resume at vprotect2-bin.000001:4: vprotect2 renamed its binary log (mysqld-bin -> vprotect2-bin); vprotect1 had applied the old one to its end ' +
        '(mysqld-bin.000002:1234, nothing written after it): vprotect1 resumes at the start of the new one, vprotect2-bin.000001:4',
    );
    expect(changingSql(p.replica.sql)).to.deep.equal([]);
    // mysqlbinlog read the old log from the replica's position on.
    expect(p.source.host.commands.filter((c) => c.startsWith('mysqlbinlog'))).to.deep.equal(['mysqlbinlog --start-position=1234 /var/lib/mysql/mysqld-bin.000002']);
    await p.run();
    expect(changingSql(p.replica.sql)[0]).to.contain("MASTER_LOG_FILE = 'vprotect2-bin.000001', MASTER_LOG_POS = 4");
  });
});

describe('mysql_replica_repair: what it refuses (an event would be skipped or replayed), with the message a user sees', () => {
  const refused = async (p: Pair): Promise<string> => {
    const msg = await failure(p.run());
    expect(changingSql(p.replica.sql), 'nothing sent to the replica').to.deep.equal([]);
    return msg;
  };

  it('an SQL error (a row that disagrees): not skipped', async () => {
    const p = pair({ ...RUNNING, Slave_SQL_Running: 'No', Last_SQL_Errno: '1062', Last_SQL_Error: "Could not execute Write_rows_v1 event on table vprotect.tasks; Duplicate entry '7' for key 'PRIMARY'" });
    expect(await refused(p)).to.equal(
      "vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234 but its SQL thread stopped there with error 1062: Could not execute Write_rows_v1 event on table vprotect.tasks; Duplicate entry '7' for key 'PRIMARY'; " +
        'the role will not skip the event (a row would be lost or overwritten): make that row agree on vprotect1, then START SLAVE there and run again',
    );
  });

  it('the source renamed its binary log after writing events the replica never applied', async () => {
    const p = pair(RUNNING, { logs: ['vprotect2-bin.000001'], oldSeries: ['mysqld-bin.000001', 'mysqld-bin.000002'], binlog: binlog('Gtid', 'Table_map', 'Write_rows_v1', 'Xid', 'Stop') });
    expect(await refused(p)).to.equal(
      'vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234, which vprotect2 no longer serves (its binary logs: vprotect2-bin.000001); ' +
        '4 event(s) after that position in mysqld-bin.000002 were never applied on vprotect1: resuming anywhere would skip or replay rows. ' +
        'Compare the databases, then point vprotect1 at the right position by hand',
    );
  });

  it('the log the replica stopped in is gone from the source (purged)', async () => {
    const p = pair(RUNNING, { logs: ['mysqld-bin.000003'], oldSeries: [] });
    expect(await refused(p)).to.equal(
      'vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234, which vprotect2 no longer serves (its binary logs: mysqld-bin.000003); ' +
        'mysqld-bin.000002 is gone from vprotect2: resuming anywhere would skip or replay rows. Compare the databases, then point vprotect1 at the right position by hand',
    );
  });

  it('the source cannot send from the position (1236), and a source without a binary log', async () => {
    const cannot = pair({ ...RUNNING, Slave_IO_Running: 'No', Last_IO_Errno: '1236', Last_IO_Error: 'Got fatal error 1236 from master when reading data from binary log' });
    expect(await refused(cannot)).to.equal(
      'vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234 but vprotect2 cannot send from there: Got fatal error 1236 from master when reading data from binary log',
    );
    const noLog = pair(RUNNING, { logs: [] });
    expect(await refused(noLog)).to.equal('vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234 but vprotect2 writes no binary log (log_bin is off there)');
  });
});

describe('mariadb pair plan: a pair whose replicas follow each other, refused on both nodes at once before anything changes', () => {
  const OPTIONS = { files: ['/etc/mysql/my.cnf'], groups: ['mysqld'], lines: [], printed: [], explained: true };
  /** What mysql_survey reported of a node replicating `from` (its SHOW SLAVE STATUS row). */
  const surveyed = (status: Record<string, string>, extra: Partial<MysqlSurvey> = {}): MysqlSurvey => ({
    changed: false,
    running: true,
    binaryLogs: [],
    commandLine: [],
    options: OPTIONS,
    replica: replicaStatus([status]),
    ...extra,
  });
  const AT_V1 = { ...RUNNING, Master_Host: '198.18.0.11' };
  const plan = (n1: { status: Record<string, string>; survey?: Partial<MysqlSurvey> }, n2: { status: Record<string, string>; survey?: Partial<MysqlSurvey> }) => {
    const [v1, v2] = [server('vprotect1', { status: n1.status }), server('vprotect2', { status: n2.status })];
    const nodes: [PairNode, PairNode] = [
      { host: 'vprotect1', address: '198.18.0.11', survey: surveyed(n1.status, n1.survey) },
      { host: 'vprotect2', address: '198.18.0.12', survey: surveyed(n2.status, n2.survey) },
    ];
    const seed = { database: 'vprotect', port: 3306, user: 'replicator', password: 'R3pLic4ti0N', dumpPath: '/root/seed.sql', force: false, forceVariable: 'mariadb_replace_peer_database' };
    return { v1, v2, run: () => mariadbPairPlan({ nodes, preferred: 'vprotect1', seed }).run(moduleContext(v1.host, { peers: [v2.host] })) };
  };

  it('both running: converge, each side diagnosed', async () => {
    const r = await plan({ status: RUNNING }, { status: AT_V1 }).run();
    expect(r).to.deep.include({ action: 'converge', changed: false });
    expect(r.msg).to.equal('vprotect1: vprotect1 replicates vprotect2 from mysqld-bin.000002:1234, running; vprotect2: vprotect2 replicates vprotect1 from mysqld-bin.000002:1234, running');
  });

  it("every refusal of both nodes in one message: an SQL error on one side, owned settings on mariadbd's command line and unexplained option files on the other", async () => {
    const p = plan(
      {
        status: RUNNING,
        survey: {
          commandLine: ['--log-bin=/srv/binlog/db', '--skip-name-resolve'],
          options: { ...OPTIONS, printed: ['--server_id=1'], explained: false },
        },
      },
      { status: { ...AT_V1, Slave_SQL_Running: 'No', Last_SQL_Errno: '1032', Last_SQL_Error: "Can't find record in 'tasks'" } },
    );
    expect(await failure(p.run())).to.equal(
      'nothing is changed on vprotect1 or vprotect2: ' +
        'vprotect1: mariadbd runs with --log-bin=/srv/binlog/db on its command line (its systemd unit or MYSQLD_OPTS), which no option file can override; remove it there; ' +
        'vprotect1: cannot tell which option file sets what: my_print_defaults --mysqld reads --server_id=1, not what /etc/mysql/my.cnf holds; nothing is changed until they agree; ' +
        "vprotect2: vprotect2 replicates vprotect1 from mysqld-bin.000002:1234 but its SQL thread stopped there with error 1032: Can't find record in 'tasks'; " +
        'the role will not skip the event (a row would be lost or overwritten): make that row agree on vprotect2, then START SLAVE there and run again',
    );
    expect([...changingSql(p.v1.sql), ...changingSql(p.v2.sql)]).to.deep.equal([]);
  });
});
