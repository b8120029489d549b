import { expect } from 'chai';
import { editIni, type IniEdit } from '../../../../modules/lib/text/ini-edit';

const set = (section: string | null, option: string, value?: string | null, more: Partial<IniEdit> = {}): IniEdit => ({
  section,
  option,
  value,
  state: 'present',
  exclusive: true,
  equivalentDashes: false,
  spaced: true,
  ...more,
});

// The how-to's /etc/my.cnf.d/server.cnf as MariaDB ships it (trimmed), comments and an empty [galera].
const SERVER_CNF = `#
# These groups are read by MariaDB server.
# Use it for options that only the server (but not clients) should see

# this is read by the standalone daemon and embedded servers
[server]

# this is only for the mysqld standalone daemon
[mysqld]
datadir=/var/lib/mysql
socket=/var/lib/mysql/mysql.sock
log-error=/var/log/mariadb/mariadb.log

#
# * Galera-related settings
#
[galera]
# Mandatory settings
#wsrep_on=ON
`;

describe('ini_file edit (pure, line-preserving)', () => {
  it("adds the how-to's replication options at the end of [mysqld], before the blank line", () => {
    let t = editIni(SERVER_CNF, set('mysqld', 'log-bin', null));
    t = editIni(t, set('mysqld', 'server_id', '1', { spaced: false }));
    t = editIni(t, set('mysqld', 'replicate-do-db', 'vprotect', { spaced: false }));
    expect(t).to.equal(SERVER_CNF.replace('log-error=/var/log/mariadb/mariadb.log\n', 'log-error=/var/log/mariadb/mariadb.log\nlog-bin\nserver_id=1\nreplicate-do-db=vprotect\n'));
    expect(editIni(t, set('mysqld', 'server_id', '1')), 'idempotent').to.equal(t);
  });

  it('changes a value in place, keeping indentation and the spacing around =', () => {
    expect(editIni('[a]\n  key  =  old   \nz=1\n', set('a', 'key', 'new'))).to.equal('[a]\n  key  =  new\nz=1\n');
    expect(editIni('[a]\nlog-bin\n', set('a', 'log-bin', '/var/log/mysql/bin'))).to.equal('[a]\nlog-bin = /var/log/mysql/bin\n');
    expect(editIni('[a]\nlog-bin=x\n', set('a', 'log-bin', null)), 'value to bare').to.equal('[a]\nlog-bin\n');
  });

  it('treats log-bin and log_bin as one option only when asked (MySQL option files)', () => {
    expect(editIni('[mysqld]\nlog-bin\n', set('mysqld', 'log_bin', null, { equivalentDashes: true }))).to.equal('[mysqld]\nlog-bin\n');
    expect(editIni('[mysqld]\nlog-bin\n', set('mysqld', 'log_bin', null))).to.equal('[mysqld]\nlog-bin\nlog_bin\n');
  });

  it('keeps one occurrence when exclusive; one line per value otherwise', () => {
    expect(editIni('[m]\na=1\nb=2\na=3\n', set('m', 'a', '5'))).to.equal('[m]\na=5\nb=2\n');
    const multi = set('m', 'replicate-do-db', 'db2', { exclusive: false });
    expect(editIni('[m]\nreplicate-do-db=db1\n', multi)).to.equal('[m]\nreplicate-do-db=db1\nreplicate-do-db = db2\n');
    expect(editIni('[m]\nreplicate-do-db=db1\nreplicate-do-db = db2\n', multi)).to.equal('[m]\nreplicate-do-db=db1\nreplicate-do-db = db2\n');
    expect(editIni('[m]\nr=db1\nr=db2\n', { ...set('m', 'r', 'db1', { exclusive: false }), state: 'absent' })).to.equal('[m]\nr=db2\n');
  });

  it('creates a missing section at the end, separated by a blank line', () => {
    expect(editIni('[a]\nx=1', set('mysqld', 'server_id', '2'))).to.equal('[a]\nx=1\n\n[mysqld]\nserver_id = 2\n');
    expect(editIni('', set('mysqld', 'server_id', '2'))).to.equal('[mysqld]\nserver_id = 2\n');
  });

  it('handles the top level (section null) and leaves comments, !include lines and other sections alone', () => {
    const text = '# top\n!includedir /etc/my.cnf.d\n[client]\nport=3306\n';
    expect(editIni(text, set(null, 'x', '1'))).to.equal('# top\n!includedir /etc/my.cnf.d\nx = 1\n[client]\nport=3306\n');
    expect(editIni(text, set('client', 'port', '3307'))).to.equal('# top\n!includedir /etc/my.cnf.d\n[client]\nport=3307\n');
    expect(editIni('[a]\n#key=1\n', set('a', 'key', '1')), 'a commented-out option is not the option').to.equal('[a]\nkey = 1\n#key=1\n');
  });

  it('removes an option, or a whole section with state absent and no option', () => {
    expect(editIni('[a]\nx=1\ny=2\n', { ...set('a', 'x'), state: 'absent' })).to.equal('[a]\ny=2\n');
    const noOption: IniEdit = { section: 'galera', state: 'absent', exclusive: true, equivalentDashes: false, spaced: true };
    expect(editIni('[mysqld]\na=1\n\n[galera]\nwsrep_on=1\n', noOption)).to.equal('[mysqld]\na=1\n\n');
    expect(editIni('[mysqld]\n', { ...noOption, state: 'present', section: 'mysqld' }), 'section present: no change').to.equal('[mysqld]\n');
  });
});
