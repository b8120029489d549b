// mariadb_master_master's semi-sync settings: the same on both nodes (on, or off when mariadb_semi_sync is
// false), rendered in the drop-in, owned like the others (a hand-made line elsewhere is commented out, one on
// mariadbd's command line refused), and the two variables' schema.
import { expect } from 'chai';
import { renderTemplate } from '../../../modules/lib/handlebars';
import type { MysqlSurvey } from '../../../modules/mysql/survey';
import { optionName, type OptionLine } from '../../../modules/mysql/option-files';
import { commentOut } from '../../../modules/mysql/option-lines';
import { commandLineOwned, DROP_IN, dropInVars, nodeSettings, strayLines } from '../../../roles/mariadb_master_master/settings';
import { mariadbVars } from '../../../roles/mariadb_master_master/vars';

const live: NonNullable<MysqlSurvey['live']> = {
  version: '10.11.19-MariaDB', datadir: '/var/lib/mysql/', serverId: 1, logBin: true, logBinBasename: '/var/lib/mysql/mysqld-bin',
  relayLogBasename: '/var/lib/mysql/mysqld-relay-bin', relayLogSet: false, binlogFormat: 'MIXED', replicateDoDb: 'vprotect',
  autoIncrementIncrement: 1, autoIncrementOffset: 1, bindAddress: '0.0.0.0', port: 3306, gtidDomainId: 0, gtidBinlogPos: '', gtidSlavePos: '',
  semiSync: { rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_slave_enabled: 'OFF', rpl_semi_sync_master_wait_point: 'AFTER_COMMIT', rpl_semi_sync_master_timeout: '10000', rpl_semi_sync_master_wait_no_slave: 'ON', sync_binlog: '0' },
};
const survey = (extra: Partial<MysqlSurvey> = {}): MysqlSurvey => ({ changed: false, running: true, live, binaryLogs: [], commandLine: [], ...extra });
const settings = (semiSync: boolean, semiSyncTimeoutMs = 10000) =>
  nodeSettings({ name: 'vprotect1', position: 1, nodes: 2, survey: survey(), peerSurvey: survey({ live: { ...live, serverId: 2 } }), database: 'vprotect', bindAddress: '0.0.0.0', port: 3306, semiSync, semiSyncTimeoutMs });
const dropIn = (semiSync: boolean, timeout?: number): string => renderTemplate('mariadb-replication.cnf', dropInVars(settings(semiSync, timeout)));
const CNF = '/etc/mysql/mariadb.conf.d/50-server.cnf';
const line = (n: number, written: string, value: string, file = CNF): OptionLine => ({
  file, line: n, group: 'mysqld', written, name: optionName(written), value, negated: false, text: `${written} = ${value}`,
});

describe('mariadb_master_master: semi-synchronous replication', () => {
  it('on by default, both directions, AFTER_SYNC, the timeout as given', () => {
    expect(settings(true, 4000).settings).to.deep.include({
      rpl_semi_sync_master_enabled: 'ON', rpl_semi_sync_slave_enabled: 'ON', rpl_semi_sync_master_wait_point: 'AFTER_SYNC', rpl_semi_sync_master_timeout: 4000, rpl_semi_sync_master_wait_no_slave: 'OFF',
    });
  });

  it('the drop-in renders the semi-sync lines after the others (the log names as MariaDB wrote them)', () => {
    const text = dropIn(true);
    expect(text).to.contain('[mysqld]\nserver_id = 1\nlog_bin = mysqld-bin\nrelay_log = mysqld-relay-bin\n');
    expect(text).to.match(
      /\nport = 3306\n(#[^\n]*\n)+sync_binlog = 1\n(#[^\n]*\n)+rpl_semi_sync_master_enabled = ON\nrpl_semi_sync_slave_enabled = ON\nrpl_semi_sync_master_wait_point = AFTER_SYNC\nrpl_semi_sync_master_timeout = 10000\nrpl_semi_sync_master_wait_no_slave = OFF\n$/,
    );
  });

  it('mariadb_semi_sync false renders both switches OFF (a pair that had it converges back); wait point and timeout stay, inert', () => {
    const text = dropIn(false, 2500);
    expect(text).to.contain('rpl_semi_sync_master_enabled = OFF\nrpl_semi_sync_slave_enabled = OFF\nrpl_semi_sync_master_wait_point = AFTER_SYNC\nrpl_semi_sync_master_timeout = 2500\nrpl_semi_sync_master_wait_no_slave = OFF\n');
  });

  it('a hand-made semi-sync line in another option file is a stray owned line (commented out); the drop-in\'s own is not', () => {
    const lines = [
      line(40, 'rpl_semi_sync_master_enabled', '1'),
      line(41, 'rpl-semi-sync-slave-enabled', 'ON'),
      line(42, 'rpl_semi_sync_master_wait_no_slave', 'ON'),
      line(43, 'rpl_semi_sync_slave_trace_level', '32'), // not one the role sets
      line(17, 'rpl_semi_sync_master_enabled', 'ON', `/etc/mysql/mariadb.conf.d/${DROP_IN}`),
    ];
    const s = survey({ options: { files: [], groups: [], lines, printed: [], explained: true } });
    const stray = strayLines(s, `/etc/mysql/mariadb.conf.d/${DROP_IN}`);
    expect(stray.map((l) => `${l.file}:${l.line}`)).to.deep.equal([`${CNF}:40`, `${CNF}:41`, `${CNF}:42`]);
    expect(commentOut('[mysqld]\nrpl_semi_sync_master_enabled = 1\n', [{ line: 2, text: stray[0]!.text }], `set in ${DROP_IN} (mariadb_master_master)`)).to.equal(
      `[mysqld]\n# rpl_semi_sync_master_enabled = 1  # set in ${DROP_IN} (mariadb_master_master)\n`,
    );
  });

  it('a semi-sync setting on mariadbd\'s command line is refused like the other owned ones', () => {
    const s = survey({ commandLine: ['--rpl-semi-sync-master-timeout=500', '--loose-rpl_semi_sync_slave_enabled', '--rpl-semi-sync-slave-trace-level=32'] });
    expect(commandLineOwned(s)).to.deep.equal(['--rpl-semi-sync-master-timeout=500', '--loose-rpl_semi_sync_slave_enabled']);
  });

  it('variables: on with a 10 s timeout unless set; the timeout a positive whole number of ms', () => {
    const base = { mariadb_replicator_password: 'R3pLic4ti0N' };
    expect(mariadbVars.parse(base)).to.deep.include({ mariadb_semi_sync: true, mariadb_semi_sync_timeout_ms: 10000 });
    expect(mariadbVars.parse({ ...base, mariadb_semi_sync: false, mariadb_semi_sync_timeout_ms: 500 })).to.deep.include({ mariadb_semi_sync: false, mariadb_semi_sync_timeout_ms: 500 });
    for (const bad of [0, -1, 1.5, '1000']) expect(mariadbVars.safeParse({ ...base, mariadb_semi_sync_timeout_ms: bad }).success, String(bad)).to.equal(false);
    expect(mariadbVars.safeParse({ ...base, mariadb_semi_sync: 'yes' }).success).to.equal(false);
  });
});
