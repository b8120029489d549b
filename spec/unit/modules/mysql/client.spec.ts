// The mysql client layer: command shape, stdin SQL, credentials file lifecycle, XML parsing.
import { expect } from 'chai';
import { parseMysqlXml, runSql } from '../../../../modules/mysql/client';
import { clientOptionFile, optionValue } from '../../../../modules/mysql/login';
import { isReadOnly, splitStatements, sqlAccount, sqlIdent, sqlString } from '../../../../modules/mysql/sql';
import { moduleContext } from '../../../support/module-context';
import { fixture, mysqlHost } from './mysql-fakes';

describe('mysql client layer', () => {
  it('parses recorded -X output: several result sets, NULL as null, empty sets', () => {
    expect(parseMysqlXml(fixture('show-master-status.xml'))).to.deep.equal([
      [{ File: 'vprotect1-bin.000001', Position: '1333', Binlog_Do_DB: '', Binlog_Ignore_DB: '' }],
    ]);
    expect(parseMysqlXml(fixture('show-slave-status-none.xml'))).to.deep.equal([[]]);
    const grants = parseMysqlXml(fixture('show-grants.xml'));
    expect(grants.map((s) => s.length)).to.deep.equal([1, 2]);
    expect(parseMysqlXml(fixture('show-slave-status-running.xml'))[0]![0]!.Seconds_Behind_Master).to.equal('0');
    expect(parseMysqlXml(fixture('show-slave-status-configured.xml'))[0]![0]!.Seconds_Behind_Master).to.equal(null);
  });

  it('runs `mysql -X` as root over the socket by default, SQL on stdin after the escaping preamble', async () => {
    const { host } = mysqlHost('db1', [[/SELECT 1/, '']]);
    await runSql(moduleContext(host), undefined, 'SELECT 1', { database: 'vprotect' });
    expect(host.commands).to.deep.equal(['mysql -X vprotect']);
    const op = host.ops.find((o) => o.kind === 'exec');
    expect(op?.kind === 'exec' && op.opts.stdin).to.equal("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');\nSELECT 1\n");
  });

  it('puts credentials in a 0600 defaults-extra-file, passes it first, and removes it even on failure', async () => {
    const { host } = mysqlHost('db1', [[/SELECT 1/, { code: 1, stderr: "ERROR 1045 (28000): Access denied for user 'vp'@'localhost' (using password: YES)" }]]);
    const ctx = moduleContext(host);
    let msg = '';
    try {
      await runSql(ctx, { user: 'vp', password: 's3cr"et', host: '10.40.1.52', port: 3306 }, 'SELECT 1');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.equal(
      "mysql on db1 failed: ERROR 1045 (28000): Access denied for user 'vp'@'localhost' (using password: YES) (check login.user/login.password for vp)",
    );
    const put = host.ops.find((o) => o.kind === 'put');
    expect(put?.kind === 'put' && put.opts.mode).to.equal(0o600);
    expect(put?.kind === 'put' && put.content).to.equal('[client]\nuser="vp"\npassword="s3cr\\"et"\n');
    const file = put?.kind === 'put' ? put.path : '';
    expect(file).to.match(/^\/tmp\/\.mysql-client-[0-9a-f]{16}\.cnf$/);
    expect(host.commands).to.deep.equal([`mysql --defaults-extra-file=${file} --host=10.40.1.52 --port=3306 -X`, `rm -f ${file}`]);
    expect(host.commands.join('\n')).not.to.contain('s3cr');
    expect(ctx.secrets).to.deep.equal(['s3cr"et']);
  });

  it('quotes SQL and option-file values', () => {
    expect(sqlString(`it's a \\ "test"\n`)).to.equal(`'it\\'s a \\\\ \\"test\\"\\n'`);
    expect(sqlIdent('we`ird')).to.equal('`we``ird`');
    expect(sqlAccount('replicator', '%')).to.equal("'replicator'@'%'");
    expect(optionValue('a"b\\c')).to.equal('"a\\"b\\\\c"');
    expect(clientOptionFile({ user: 'root' })).to.equal('[client]\nuser="root"\n');
  });

  it('tells read-only statements from changing ones, quotes and comments included', () => {
    expect(isReadOnly('SELECT 1; SHOW MASTER STATUS')).to.equal(true);
    expect(isReadOnly("SELECT ';DROP TABLE x' AS s -- ; DELETE\n")).to.equal(true);
    expect(isReadOnly('SELECT 1; DELETE FROM t')).to.equal(false);
    expect(isReadOnly('SELECT * FROM t INTO OUTFILE "/tmp/x"')).to.equal(false);
    expect(isReadOnly('SELECT * FROM t FOR UPDATE')).to.equal(false);
    expect(splitStatements("INSERT INTO t VALUES ('a;b'); /* c; */ SELECT 2")).to.deep.equal(["INSERT INTO t VALUES ('a;b')", 'SELECT 2']);
  });
});
