import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { file } from '../../../modules/file';
import { fakeHost, moduleContext } from '../../support/module-context';
import { changingCommands, fakeFs } from '../../support/fake-files';

describe('file (fake host)', () => {
  it('creates a directory with owner and mode in one command, then changes nothing', async () => {
    const conn = fakeHost('h');
    const fsx = fakeFs(conn);
    const ctx = moduleContext(conn);
    const action = file({ path: '/var/log/mysql', state: 'directory', owner: 'mysql', group: 'mysql', mode: 0o750 });
    const first = await action.run(ctx);
    expect(changingCommands(conn)).to.deep.equal(['mkdir -p -- /var/log/mysql && chown mysql\\:mysql -- /var/log/mysql && chmod 0750 -- /var/log/mysql']);
    expect(first).to.deep.include({ changed: true, state: 'directory' });
    expect(first.diffs).to.deep.equal([{ path: '/var/log/mysql', before: 'state: absent\nowner: \ngroup: \nmode: \n', after: 'state: directory\nowner: mysql\ngroup: mysql\nmode: 0750\n' }]);
    expect(fsx.dirs.get('/var/log/mysql')).to.deep.equal({ mode: 0o750, owner: 'mysql', group: 'mysql' });
    const second = await action.run(ctx);
    expect(second.changed).to.equal(false);
    expect(changingCommands(conn)).to.have.length(1);
  });

  it('under --check reads, reports and issues no changing command', async () => {
    const conn = fakeHost('h');
    fakeFs(conn, { dirs: { '/srv/data': 0o755 } });
    const r = await file({ path: '/srv/data', state: 'directory', mode: '0700' }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would set /srv/data mode: 0755 -> 0700' });
    expect(changingCommands(conn)).to.deep.equal([]);
  });

  it('touch creates an empty file once; an existing file keeps its timestamps (no command)', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    const ctx = moduleContext(conn);
    await file({ path: '/etc/cluster.lock', state: 'touch' }).run(ctx);
    expect(await file({ path: '/etc/cluster.lock', state: 'touch' }).run(ctx)).to.deep.include({ changed: false });
    expect(changingCommands(conn)).to.deep.equal(['touch -- /etc/cluster.lock']);
  });

  it('links (reading the link itself, not its target), relinks, and removes', async () => {
    const conn = fakeHost('h');
    const fsx = fakeFs(conn);
    conn.file('/etc/my.cnf.real', 'x');
    const ctx = moduleContext(conn);
    await file({ path: '/etc/my.cnf', state: 'link', src: '/etc/my.cnf.real' }).run(ctx);
    expect(conn.commands[0]).to.include("stat -c '%F").and.not.include('stat -L');
    expect((await file({ path: '/etc/my.cnf', state: 'link', src: '/etc/my.cnf.real' }).run(ctx)).changed).to.equal(false);
    const relink = await file({ path: '/etc/my.cnf', state: 'link', src: '/etc/alternatives/my.cnf' }).run(ctx);
    expect(relink.msg).to.equal('/etc/my.cnf link: /etc/my.cnf.real -> /etc/alternatives/my.cnf');
    expect(fsx.links.get('/etc/my.cnf')).to.equal('/etc/alternatives/my.cnf');
    await file({ path: '/etc/my.cnf', state: 'absent' }).run(ctx);
    expect(changingCommands(conn)).to.deep.equal([
      'ln -s -- /etc/my.cnf.real /etc/my.cnf',
      'ln -sfn -- /etc/alternatives/my.cnf /etc/my.cnf',
      'rm -f -- /etc/my.cnf',
    ]);
    expect(conn.files.has('/etc/my.cnf.real'), 'the link target stays').to.equal(true);
  });

  it('fails clearly: a missing file for state file, a file in the way of a directory or a link', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    conn.file('/etc/x', 'data');
    const ctx = moduleContext(conn);
    const msg = async (p: Parameters<typeof file>[0]): Promise<string> => ((await file(p).run(ctx).catch((e: unknown) => e)) as Error).message;
    expect(await msg({ path: '/etc/missing', state: 'file', mode: 0o600 })).to.equal("/etc/missing on h does not exist; use state 'touch' to create it empty, or copy/template to give it content");
    expect(await msg({ path: '/etc/x', state: 'directory' })).to.equal("/etc/x on h exists and is a file, not a directory; remove it first (state 'absent')");
    expect(await msg({ path: '/etc/x', state: 'link', src: '/y' })).to.equal('/etc/x on h is a file, not a symlink; set force: true to replace it with a link to /y');
    expect(changingCommands(conn)).to.deep.equal([]);
  });

  it('refuses to delete system directories and rejects inconsistent parameters', () => {
    expect(() => file({ path: '/etc/', state: 'absent' }).preflight!()).to.throw(ConfigError, /refusing to remove a system directory/);
    expect(() => file({ path: '/', state: 'absent' }).preflight!()).to.throw(ConfigError);
    expect(() => file({ path: '/x', state: 'link' }).preflight!()).to.throw(ConfigError, /needs src/);
    expect(() => file({ path: '/x', src: '/y' }).preflight!()).to.throw(ConfigError, /only for state 'link'/);
  });
});
