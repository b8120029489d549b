// mysql_settings on a scripted pair, for the semi-sync settings: read live as MariaDB prints them, compared so a
// converged pair never looks changed, set live with each running replica paused around them (its IO thread
// reconnects, which is when MariaDB takes rpl_semi_sync_slave_enabled), and --check saying exactly that.
import { expect } from 'chai';
import { liveStatements, mysqlSettings, type ServerSettings } from '../../../../modules/mysql/settings';
import { replicaStatus } from '../../../../modules/mysql/replication';
import { semiSyncOf } from '../../../../modules/mysql/survey';
import { moduleContext } from '../../../support/module-context';
import { changingSql, mysqlHost, resultSet, type MysqlHost } from './mysql-fakes';

const PEER = { vprotect1: 'vprotect2', vprotect2: 'vprotect1' } as const;
type Node = keyof typeof PEER;

/** The semi-sync variables as SHOW GLOBAL VARIABLES prints them on a server the role has set up. */
const CONVERGED = {
  rpl_semi_sync_master_enabled: 'ON', rpl_semi_sync_master_timeout: '10000', rpl_semi_sync_master_wait_point: 'AFTER_SYNC', rpl_semi_sync_slave_enabled: 'ON',
  rpl_semi_sync_master_wait_no_slave: 'OFF', sync_binlog: '1',
};
/** MariaDB 10.11's defaults: asynchronous. */
const DEFAULTS = {
  rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_master_timeout: '10000', rpl_semi_sync_master_wait_point: 'AFTER_COMMIT', rpl_semi_sync_slave_enabled: 'OFF',
  rpl_semi_sync_master_wait_no_slave: 'ON', sync_binlog: '0',
};

/** What the role wants of `name` (the other settings already as they are live). */
const wanted = (name: Node, over: Partial<ServerSettings> = {}): ServerSettings => ({
  server_id: name === 'vprotect1' ? 1 : 2,
  log_bin: `/var/lib/mysql/${name}-bin`,
  relay_log: `/var/lib/mysql/${name}-relay-bin`,
  binlog_format: 'ROW',
  replicate_do_db: 'vprotect',
  auto_increment_increment: 2,
  auto_increment_offset: name === 'vprotect1' ? 1 : 2,
  bind_address: '0.0.0.0',
  port: 3306,
  rpl_semi_sync_master_wait_point: 'AFTER_SYNC',
  rpl_semi_sync_master_timeout: 10000,
  rpl_semi_sync_master_wait_no_slave: 'OFF',
  sync_binlog: 1,
  rpl_semi_sync_master_enabled: 'ON',
  rpl_semi_sync_slave_enabled: 'ON',
  ...over,
});

/** A server of the pair: replicating its peer (`io` its IO thread's state), the semi-sync variables as given. */
function server(name: Node, semiSync: Record<string, string>, io: 'Yes' | 'Connecting' | 'none' = 'Yes'): MysqlHost {
  const live = {
    version: '10.11.19-MariaDB-0+deb12u1-log', datadir: '/var/lib/mysql/', server_id: name === 'vprotect1' ? '1' : '2', log_bin: '1',
    log_bin_basename: `/var/lib/mysql/${name}-bin`, relay_log_basename: `/var/lib/mysql/${name}-relay-bin`, relay_log: `${name}-relay-bin`,
    pid_file: '/run/mysqld/mysqld.pid', binlog_format: 'ROW', replicate_do_db: 'vprotect', aii: '2', aio: name === 'vprotect1' ? '1' : '2',
    bind_address: '0.0.0.0', port: '3306', gtid_domain_id: '0', gtid_binlog_pos: '', gtid_slave_pos: '',
  };
  const slave = {
    Slave_IO_Running: io === 'none' ? 'No' : io, Slave_SQL_Running: io === 'Yes' ? 'Yes' : 'No', Master_Host: name === 'vprotect1' ? '198.18.0.12' : '198.18.0.11', Master_User: 'replicator', Master_Port: '3306',
    Master_Log_File: `${PEER[name]}-bin.000001`, Read_Master_Log_Pos: '328', Relay_Master_Log_File: `${PEER[name]}-bin.000001`, Exec_Master_Log_Pos: '328',
    Relay_Log_File: `${name}-relay-bin.000002`,
  };
  const variables = Object.entries(semiSync).map(([Variable_name, Value]) => ({ Variable_name, Value }));
  const h = mysqlHost(name, [
    [/^SELECT @@version AS version/, resultSet([live]) + resultSet([{ File: `${name}-bin.000001`, Position: '328' }]) + resultSet([slave]) + (variables.length ? resultSet(variables) : '')],
  ]);
  h.host.on(/^crm_mon /, { code: 1 }); // no cluster
  return h;
}

async function settle(v1: MysqlHost, v2: MysqlHost, want: Readonly<Record<Node, ServerSettings>>, check = false) {
  const nodes = (['vprotect1', 'vprotect2'] as const).map((host) => ({ host, settings: want[host], peer: PEER[host] }));
  return mysqlSettings({ nodes, service: 'mariadb' }).run(moduleContext(v1.host, { check, peers: [v2.host] }));
}

const both = (over: Partial<ServerSettings> = {}): Record<Node, ServerSettings> => ({ vprotect1: wanted('vprotect1', over), vprotect2: wanted('vprotect2', over) });
const ENABLE = [
  "STOP SLAVE;\nSET GLOBAL sync_binlog = 1;\nSET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';\nSET GLOBAL rpl_semi_sync_master_wait_no_slave = 'OFF';\nSET GLOBAL rpl_semi_sync_master_enabled = 'ON';\nSET GLOBAL rpl_semi_sync_slave_enabled = 'ON';\nSTART SLAVE;",
];

describe('mysql_settings: semi-synchronous replication', () => {
  it('a pair running with semi-sync on: nothing sent, nothing changed (a rerun on a converged pair)', async () => {
    const [v1, v2] = [server('vprotect1', CONVERGED), server('vprotect2', CONVERGED)];
    expect(await settle(v1, v2, both())).to.deep.include({ changed: false, msg: 'the servers run with the wanted settings' });
    expect([...changingSql(v1.sql), ...changingSql(v2.sql)]).to.deep.equal([]);
    // Read as SHOW prints them (ON/OFF), not as SELECT @@ does (1/0).
    expect(v1.sql[0]).to.contain(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync_master_enabled', 'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_master_wait_point', 'rpl_semi_sync_master_timeout', 'rpl_semi_sync_master_wait_no_slave', 'sync_binlog');",
    );
  });

  it('MariaDB spelling the same values otherwise (on, 1, after_sync) is not a change', async () => {
    const spelled = {
      rpl_semi_sync_master_enabled: '1', rpl_semi_sync_master_timeout: '10000', rpl_semi_sync_master_wait_point: 'after_sync', rpl_semi_sync_slave_enabled: 'on',
      rpl_semi_sync_master_wait_no_slave: '0', sync_binlog: '1',
    };
    const [v1, v2] = [server('vprotect1', spelled), server('vprotect2', CONVERGED)];
    expect((await settle(v1, v2, both({ rpl_semi_sync_master_enabled: 'on' }))).changed).to.equal(false);
    expect(changingSql(v1.sql)).to.deep.equal([]);
  });

  it('a replicating pair with semi-sync off: set live on each, its replica stopped and started around the SETs (the IO thread reconnects semi-sync)', async () => {
    const [v1, v2] = [server('vprotect1', DEFAULTS), server('vprotect2', DEFAULTS)];
    const r = await settle(v1, v2, both());
    expect(r.changed).to.equal(true);
    expect(r.restarted).to.deep.equal([]);
    expect(changingSql(v1.sql)).to.deep.equal(ENABLE);
    expect(changingSql(v2.sql)).to.deep.equal(ENABLE);
  });

  it('--check says which settings go live, no restart, and sends nothing', async () => {
    const [v1, v2] = [server('vprotect1', DEFAULTS), server('vprotect2', DEFAULTS)];
    const r = await settle(v1, v2, both(), true);
    const semi = 'sync_binlog 0 -> 1, rpl_semi_sync_master_wait_point AFTER_COMMIT -> AFTER_SYNC, rpl_semi_sync_master_wait_no_slave ON -> OFF, rpl_semi_sync_master_enabled OFF -> ON, rpl_semi_sync_slave_enabled OFF -> ON';
    expect(r).to.deep.include({
      changed: true,
      msg:
        `would vprotect1: ${semi} (live, no restart); vprotect2: ${semi} (live, no restart); replication keeps its coordinates ` +
        '(vprotect1 replicates vprotect2 from vprotect2-bin.000001:328; vprotect2 replicates vprotect1 from vprotect1-bin.000001:328)',
      restarted: [],
    });
    expect([...changingSql(v1.sql), ...changingSql(v2.sql)]).to.deep.equal([]);
  });

  it('mariadb_semi_sync false on a pair that has it: both switches set OFF live; a new timeout is a number', async () => {
    const [v1, v2] = [server('vprotect1', CONVERGED), server('vprotect2', CONVERGED)];
    await settle(v1, v2, both({ rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_slave_enabled: 'OFF', rpl_semi_sync_master_timeout: 2500 }));
    expect(changingSql(v1.sql)).to.deep.equal([
      "STOP SLAVE;\nSET GLOBAL rpl_semi_sync_master_timeout = 2500;\nSET GLOBAL rpl_semi_sync_master_enabled = 'OFF';\nSET GLOBAL rpl_semi_sync_slave_enabled = 'OFF';\nSTART SLAVE;",
    ]);
  });

  it('a replica whose IO thread is still connecting (SQL stopped) gets its IO thread restarted alone; a server that replicates nothing, the SETs only', async () => {
    const [v1, v2] = [server('vprotect1', DEFAULTS, 'Connecting'), server('vprotect2', DEFAULTS, 'none')];
    await settle(v1, v2, both());
    const sets = "SET GLOBAL sync_binlog = 1;\nSET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';\nSET GLOBAL rpl_semi_sync_master_wait_no_slave = 'OFF';\nSET GLOBAL rpl_semi_sync_master_enabled = 'ON';\nSET GLOBAL rpl_semi_sync_slave_enabled = 'ON';";
    expect(changingSql(v1.sql)).to.deep.equal([`${sets}\nSTOP SLAVE IO_THREAD;\nSTART SLAVE IO_THREAD;`]);
    expect(changingSql(v2.sql)).to.deep.equal([sets]);
  });

  it('the IO thread is restarted alone only for rpl_semi_sync_slave_enabled, which MariaDB reads when it connects', () => {
    const connecting = replicaStatus([{ Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'No' }]);
    expect(liveStatements(connecting, { rpl_semi_sync_master_enabled: ['OFF', 'ON'] })).to.deep.equal(["SET GLOBAL rpl_semi_sync_master_enabled = 'ON'"]);
    expect(liveStatements(undefined, { rpl_semi_sync_slave_enabled: ['OFF', 'ON'] })).to.deep.equal(["SET GLOBAL rpl_semi_sync_slave_enabled = 'ON'"]);
  });
});

describe('mysql_survey: the semi-sync variables', () => {
  it('takes the six the role sets from SHOW GLOBAL VARIABLES, nothing else; a server without them has none', () => {
    const rows = [...Object.entries(CONVERGED), ['rpl_semi_sync_slave_trace_level', '32']].map(([Variable_name, Value]) => ({ Variable_name: Variable_name!, Value: Value! }));
    expect(semiSyncOf(rows)).to.deep.equal(CONVERGED);
    expect(semiSyncOf([])).to.deep.equal({});
  });

  it('a server without them (MariaDB before 10.3.3) still answers the survey; each semi-sync setting then differs', async () => {
    const [v1, v2] = [server('vprotect1', {}), server('vprotect2', CONVERGED)];
    const r = await settle(v1, v2, both(), true);
    expect(r.nodes[0]!.live).to.deep.equal({
      sync_binlog: ['(off)', '1'],
      rpl_semi_sync_master_wait_point: ['(off)', 'AFTER_SYNC'],
      rpl_semi_sync_master_timeout: ['(off)', '10000'],
      rpl_semi_sync_master_wait_no_slave: ['(off)', 'OFF'],
      rpl_semi_sync_master_enabled: ['(off)', 'ON'],
      rpl_semi_sync_slave_enabled: ['(off)', 'ON'],
    });
  });
});
