// lineinfile, blockinfile, ini_file and hosts_entry on a fake host: one content probe, one put, then no-ops.
import { expect } from 'chai';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { lineinfile } from '../../../modules/lineinfile';
import { blockinfile } from '../../../modules/blockinfile';
import { iniFile } from '../../../modules/ini_file';
import { hostsEntry } from '../../../modules/hosts_entry';
import { fileStateScript } from '../../../modules/lib/remote-file';
import { fakeHost, moduleContext } from '../../support/module-context';
import { fakeFs, puts } from '../../support/fake-files';

function host(files: Record<string, string>) {
  const conn = fakeHost('vprotect1');
  fakeFs(conn);
  for (const [p, c] of Object.entries(files)) conn.file(p, c, { mode: 0o644 });
  return conn;
}

describe('text file modules (fake host)', () => {
  it('lineinfile: one probe with content, one put of the edited bytes, then a no-op', async () => {
    const conn = host({ '/etc/selinux/config': '# SELINUX= can take one of these three values:\nSELINUX=enforcing\nSELINUXTYPE=targeted\n' });
    const ctx = moduleContext(conn);
    const action = lineinfile({ path: '/etc/selinux/config', regexp: '^SELINUX=', line: 'SELINUX=permissive' });
    const r = await action.run(ctx);
    expect(conn.commands).to.deep.equal([fileStateScript('f', [{ path: '/etc/selinux/config', depth: 'content' }])]);
    expect(puts(conn).map((p) => p.content)).to.deep.equal(['# SELINUX= can take one of these three values:\nSELINUX=permissive\nSELINUXTYPE=targeted\n']);
    expect(r.diffs![0]).to.deep.include({ path: '/etc/selinux/config' });
    expect((await action.run(ctx)).changed).to.equal(false);
    expect(puts(conn)).to.have.length(1);
  });

  it('lineinfile under --check: the diff, no put', async () => {
    const conn = host({ '/etc/a': 'x\n' });
    const r = await lineinfile({ path: '/etc/a', line: 'y' }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would update /etc/a' });
    expect(r.diffs).to.deep.equal([{ path: '/etc/a', before: 'x\n', after: 'x\ny\n' }]);
    expect(puts(conn)).to.deep.equal([]);
  });

  it('lineinfile: absent on a missing file is a no-op; present needs create; binary files are refused', async () => {
    const conn = host({});
    const ctx = moduleContext(conn);
    expect((await lineinfile({ path: '/etc/none', line: 'x', state: 'absent' }).run(ctx)).changed).to.equal(false);
    const err = await lineinfile({ path: '/etc/none', line: 'x' }).run(ctx).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('/etc/none does not exist on vprotect1; set create: true to create it');
    conn.files.set('/bin/x', { content: Buffer.from([0x7f, 0x45, 0, 1]) });
    const bin = await lineinfile({ path: '/bin/x', line: 'x' }).run(ctx).catch((e: unknown) => e);
    expect(bin).to.be.instanceOf(ModuleError);
    expect((bin as Error).message).to.equal('/bin/x on vprotect1 is not a UTF-8 text file; refusing to edit it');
    expect(puts(conn)).to.deep.equal([]);
  });

  it('lineinfile rejects bad parameters in preflight', () => {
    expect(() => lineinfile({ path: '/a', line: 'two\nlines' }).preflight!()).to.throw(ConfigError, /single line/);
    expect(() => lineinfile({ path: '/a', regexp: '([' , line: 'x' }).preflight!()).to.throw(ConfigError, /invalid regular expression/);
    expect(() => lineinfile({ path: '/a', state: 'absent' }).preflight!()).to.throw(ConfigError, /needs regexp or line/);
    expect(() => lineinfile({ path: '/a', line: 'x', insertafter: 'EOF', insertbefore: 'BOF' }).preflight!()).to.throw(ConfigError, /not both/);
  });

  it('blockinfile with a custom marker', async () => {
    const conn = host({ '/etc/corosync/corosync.conf': 'totem {\n}\n' });
    const ctx = moduleContext(conn);
    const action = blockinfile({ path: '/etc/corosync/corosync.conf', marker: '# {mark} quorum (managed)', block: 'quorum {\n  provider: corosync_votequorum\n  two_node: 1\n}' });
    await action.run(ctx);
    expect(conn.files.get('/etc/corosync/corosync.conf')!.content.toString()).to.equal(
      'totem {\n}\n# BEGIN quorum (managed)\nquorum {\n  provider: corosync_votequorum\n  two_node: 1\n}\n# END quorum (managed)\n',
    );
    expect((await action.run(ctx)).changed).to.equal(false);
    expect(() => blockinfile({ path: '/a', block: 'x', marker: '# managed' }).preflight!()).to.throw(ConfigError, /\{mark\}/);
  });

  it('ini_file creates a missing file by default (Ansible), with the given mode', async () => {
    const conn = host({});
    const ctx = moduleContext(conn);
    const action = iniFile({ path: '/etc/my.cnf.d/replication.cnf', section: 'mysqld', option: 'server_id', value: 2, mode: 0o644 });
    await action.run(ctx);
    expect(conn.files.get('/etc/my.cnf.d/replication.cnf')!.content.toString()).to.equal('[mysqld]\nserver_id = 2\n');
    expect(puts(conn)[0]!.opts.mode).to.equal(0o644);
    expect((await action.run(ctx)).changed).to.equal(false);
    expect(() => iniFile({ path: '/a', section: 'x', option: 'a=b', value: 1 }).preflight!()).to.throw(ConfigError, /bad option name/);
    expect(() => iniFile({ path: '/a', section: 'x]', option: 'a' }).preflight!()).to.throw(ConfigError, /bad section name/);
  });

  it("hosts_entry: the how-to's /etc/hosts step, then a no-op", async () => {
    const conn = host({ '/etc/hosts': '127.0.0.1 localhost vprotect1\n::1 localhost\n' });
    const ctx = moduleContext(conn);
    const action = hostsEntry({ removeFromLoopback: ['vprotect1'], entries: [{ ip: '10.40.1.50', names: ['vprotect1'] }, { ip: '10.40.1.51', names: ['vprotect2'] }] });
    const r = await action.run(ctx);
    expect(r.path).to.equal('/etc/hosts');
    expect(conn.files.get('/etc/hosts')!.content.toString()).to.equal('127.0.0.1 localhost\n::1 localhost\n10.40.1.50 vprotect1\n10.40.1.51 vprotect2\n');
    expect((await action.run(ctx)).changed).to.equal(false);
  });

  it('hosts_entry rejects bad addresses, names and a name given for two addresses', () => {
    expect(() => hostsEntry({ entries: [{ ip: '10.40.1.500', names: ['a'] }] }).preflight!()).to.throw(ConfigError, /not an IP address/);
    expect(() => hostsEntry({ removeFromLoopback: ['bad name'] }).preflight!()).to.throw(ConfigError, /not a valid host name/);
    expect(() => hostsEntry({ entries: [{ ip: '10.0.0.1', names: ['a'] }, { ip: '10.0.0.2', names: ['A'] }] }).preflight!()).to.throw(ConfigError, /given for both/);
    expect(() => hostsEntry({}).preflight!()).to.throw(ConfigError);
  });
});
