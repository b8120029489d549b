// The parsing the adoption survey and repair rest on, on recorded outputs of Debian 12's MariaDB 10.11.
import { expect } from 'chai';
import { optionName, parseHelpDefaults, parseOptionFile } from '../../../../modules/mysql/option-files';
import { commentOut } from '../../../../modules/mysql/option-lines';
import { binlogEventTypes, masterInfoCredentials } from '../../../../modules/mysql/replica-repair';
import { relayBasename } from '../../../../modules/mysql/survey';

describe('mysql adoption: option files, binlog events, master.info', () => {
  it("parses an option file's groups, bare and valued options, quotes, inline comments and includes", () => {
    const text = '[client-server]\nsocket = /run/mysqld/mysqld.sock\n!includedir /etc/mysql/conf.d/\n[mysqld]\nlog-bin\nserver_id=1\n' +
      'bind-address            = 0.0.0.0   # the peer connects\nname = "a # b"\n; a comment\n#skip-name-resolve\n!include /etc/extra.cnf\n';
    const entries = parseOptionFile(text).entries;
    expect(entries).to.deep.equal([
      { kind: 'option', line: 2, group: 'client-server', text: 'socket = /run/mysqld/mysqld.sock', key: 'socket', value: '/run/mysqld/mysqld.sock' },
      { kind: 'includedir', path: '/etc/mysql/conf.d/' },
      { kind: 'option', line: 5, group: 'mysqld', text: 'log-bin', key: 'log-bin', value: undefined },
      { kind: 'option', line: 6, group: 'mysqld', text: 'server_id=1', key: 'server_id', value: '1' },
      { kind: 'option', line: 7, group: 'mysqld', text: 'bind-address            = 0.0.0.0   # the peer connects', key: 'bind-address', value: '0.0.0.0' },
      { kind: 'option', line: 8, group: 'mysqld', text: 'name = "a # b"', key: 'name', value: 'a # b' },
      { kind: 'include', path: '/etc/extra.cnf' },
    ]);
    expect(optionName('Replicate-Do-DB')).to.equal('replicate_do_db');
  });

  it("reads mariadbd --help --verbose's default files and groups", () => {
    const help = 'Default options are read from the following files in the given order:\n/etc/my.cnf /etc/mysql/my.cnf ~/.my.cnf \n' +
      'The following groups are read: mysqld server mysqld-10.11 mariadb mariadb-10.11 mariadbd mariadbd-10.11 client-server galera\n';
    expect(parseHelpDefaults(help)).to.deep.equal({
      files: ['/etc/my.cnf', '/etc/mysql/my.cnf', '~/.my.cnf'],
      groups: ['mysqld', 'server', 'mysqld-10.11', 'mariadb', 'mariadb-10.11', 'mariadbd', 'mariadbd-10.11', 'client-server', 'galera'],
    });
  });

  it('comments out the lines found at their number (or moved), once', () => {
    const text = '[mysqld]\nlog-bin\nserver_id=1\nport = 3306\n';
    const once = commentOut(text, [{ line: 2, text: 'log-bin' }, { line: 9, text: 'server_id=1' }], 'set in 60-x.cnf');
    expect(once).to.equal('[mysqld]\n# log-bin  # set in 60-x.cnf\n# server_id=1  # set in 60-x.cnf\nport = 3306\n');
    expect(commentOut(once, [{ line: 2, text: 'log-bin' }], 'set in 60-x.cnf')).to.equal(once);
  });

  it("reads event types from mysqlbinlog's headers (what follows a position in an old log)", () => {
    const out = [
      '# at 4',
      '#261201 21:07:22 server id 1  end_log_pos 256 CRC32 0xc92cbb27 \tStart: binlog v 4, server v 10.11.19-MariaDB-0+deb12u1-log created 261201 21:07:22 at startup',
      '#261201 21:07:24 server id 1  end_log_pos 1058 CRC32 0x645f20e5 \tGTID 0-1-15 trans',
      '#261201 21:07:24 server id 1  end_log_pos 1276 CRC32 0xd2d1f9a5 \tXid = 66',
      '#261201 21:07:26 server id 1  end_log_pos 1299 CRC32 0x7d044a81 \tStop',
    ].join('\n');
    expect(binlogEventTypes(out)).to.deep.equal(['Start', 'Gtid', 'Xid', 'Stop']);
  });

  it("takes the replication user and password from MariaDB's master.info (line 5 and 6)", () => {
    expect(masterInfoCredentials('33\nmysqld-bin.000001\n3494\n198.18.0.12\nreplicator\nR3pLic4ti0N\n3306\n60\n')).to.deep.equal({ user: 'replicator', password: 'R3pLic4ti0N' });
    expect(masterInfoCredentials('')).to.equal(undefined);
  });

  it('names the relay log as MariaDB does: relay_log, else the replica\'s file, else <pid-file name>-relay-bin', () => {
    const row = { datadir: '/var/lib/mysql/', pid_file: '/run/mysqld/mysqld.pid', relay_log_basename: null };
    expect(relayBasename(row, undefined)).to.deep.equal({ basename: '/var/lib/mysql/mysqld-relay-bin', set: false });
    expect(relayBasename({ ...row, relay_log_basename: '/var/lib/mysql/vprotect1-relay-bin' }, undefined)).to.deep.equal({ basename: '/var/lib/mysql/vprotect1-relay-bin', set: true });
  });
});
