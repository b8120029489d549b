import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { copy, DIFF_MAX_BYTES } from '../../../modules/copy';
import { template } from '../../../modules/template';
import { fileStateScript } from '../../../modules/lib/remote-file';
import { fakeHost, moduleContext } from '../../support/module-context';
import { changingCommands, fakeFs, isFileState, puts } from '../../support/fake-files';

describe('copy (fake host)', () => {
  it('reads the state with one probe (hash only), writes once with put, then is a no-op', async () => {
    const conn = fakeHost('vprotect1');
    fakeFs(conn);
    const ctx = moduleContext(conn);
    const first = await copy({ dest: '/etc/vprotect/x.conf', content: 'a=1\n', mode: '0640', owner: 'vprotect' }).run(ctx);
    expect(first).to.deep.include({ changed: true, msg: 'created /etc/vprotect/x.conf' });
    expect(conn.commands).to.deep.equal([fileStateScript('f', [{ path: '/etc/vprotect/x.conf', depth: 'hash', maxContentBytes: DIFF_MAX_BYTES }])]);
    expect(conn.commands[0]).to.include('sha256sum').and.not.include('base64');
    expect(puts(conn)).to.deep.equal([{ path: '/etc/vprotect/x.conf', content: 'a=1\n', opts: { mode: 0o640, owner: 'vprotect', group: undefined, become: false } }]);
    const second = await copy({ dest: '/etc/vprotect/x.conf', content: 'a=1\n', mode: '0640', owner: 'vprotect' }).run(ctx);
    expect(second.changed).to.equal(false);
    expect(conn.ops.filter((o) => o.kind === 'put')).to.have.length(1);
  });

  it('under --check reports the change (with the diff) and writes nothing', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    conn.file('/etc/a', 'old\n');
    const r = await copy({ dest: '/etc/a', content: 'new\n' }).run(moduleContext(conn, { check: true, diff: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would update /etc/a' });
    expect(r.diffs).to.deep.equal([{ path: '/etc/a', before: 'old\n', after: 'new\n' }]);
    expect(conn.commands[0], '--diff fetches the old bytes').to.include('base64 -w0');
    expect(puts(conn)).to.deep.equal([]);
    expect(conn.files.get('/etc/a')!.content.toString()).to.equal('old\n');
  });

  it('fixes only attributes with one chown+chmod command, keeping the bytes', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    conn.file('/etc/my.cnf', 'same\n', { mode: 0o644, owner: 'root', group: 'root' });
    const ctx = moduleContext(conn, { diff: true });
    const r = await copy({ dest: '/etc/my.cnf', content: 'same\n', mode: 0o600, owner: 'mysql', group: 'mysql' }).run(ctx);
    // shell-quote escapes the colon; /bin/sh reads `mysql\\:mysql` as mysql:mysql.
    expect(changingCommands(conn)).to.deep.equal(['chown mysql\\:mysql -- /etc/my.cnf && chmod 0600 -- /etc/my.cnf']);
    expect(r.diffs).to.deep.equal([{ path: '/etc/my.cnf (attributes)', before: 'owner: root\ngroup: root\nmode: 0644\n', after: 'owner: mysql\ngroup: mysql\nmode: 0600\n' }]);
    expect(puts(conn)).to.deep.equal([]);
    expect((await copy({ dest: '/etc/my.cnf', content: 'same\n', mode: 0o600, owner: 'mysql', group: 'mysql' }).run(ctx)).changed).to.equal(false);
  });

  it("keeps an existing file's mode and ownership when rewriting it without attributes", async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    conn.file('/opt/vprotect/.session.properties', 'old', { mode: 0o600, owner: 'vprotect', group: 'vprotect' });
    await copy({ dest: '/opt/vprotect/.session.properties', content: 'new' }).run(moduleContext(conn));
    expect(puts(conn)[0]!.opts).to.deep.equal({ mode: 0o600, owner: 'vprotect', group: 'vprotect', become: false });
  });

  it('summarizes binary content in diffs', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    const r = await copy({ dest: '/tmp/b', content: Buffer.from([0, 1, 2]) }).run(moduleContext(conn, { diff: true }));
    expect(r.diffs![0]!.after).to.match(/^\(binary, 3 bytes, sha256 [0-9a-f]{16}…\)\n$/);
  });

  it('fails with an actionable message: missing directory, a directory in the way, an unreadable file', async () => {
    const conn = fakeHost('h');
    fakeFs(conn, { dirs: { '/etc/drbd.d': 0o755 }, missingDirs: ['/etc/nope'] });
    const ctx = moduleContext(conn);
    const missing = await copy({ dest: '/etc/nope/f', content: 'x' }).run(ctx).catch((e: unknown) => e);
    expect((missing as Error).message).to.equal("cannot create /etc/nope/f on h: directory /etc/nope does not exist (create it first with the file module, state 'directory')");
    const dir = await copy({ dest: '/etc/drbd.d', content: 'x' }).run(ctx).catch((e: unknown) => e);
    expect((dir as Error).message).to.equal('/etc/drbd.d on h is a directory, not a regular file');
    const denied = fakeHost('h2');
    denied.on(isFileState, { code: 1, stderr: "sh: 1: cannot open /root/secret: Permission denied\n" });
    const err = await copy({ dest: '/root/secret', content: 'x' }).run(moduleContext(denied)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.equal('cannot read /root/secret on h2 (exit 1): sh: 1: cannot open /root/secret: Permission denied');
  });

  it('rejects bad parameters before touching a host', () => {
    expect(() => copy({ dest: 'relative', content: 'x' }).preflight!()).to.throw(ConfigError, /must be absolute/);
    expect(() => copy({ dest: '/a', content: 'x', src: '/b' }).preflight!()).to.throw(ConfigError, /exactly one of content or src/);
    expect(() => copy({ dest: '/a', content: 'x', mode: 'u+x' }).preflight!()).to.throw(ConfigError, /not an octal mode/);
    expect(() => copy({ dest: '/a', src: '/no/such/file' }).preflight!()).to.throw(ConfigError, /cannot read source \/no\/such\/file: ENOENT/);
  });
});

describe('template (fake host)', () => {
  let tpl: string;
  before(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tpl-'));
    tpl = path.join(dir, 'r0.res.hbs');
    await fs.writeFile(tpl, 'resource {{name}} {\n{{#each nodes}}\n  on {{this.name}} { address {{this.ip}}:{{../port}}; }\n{{/each}}\n}\n');
  });

  it('renders strictly, without escaping, and installs like copy (second run a no-op)', async () => {
    const conn = fakeHost('h');
    fakeFs(conn);
    const ctx = moduleContext(conn);
    const vars = { name: 'r0', port: 7788, nodes: [{ name: 'vprotect1', ip: '10.40.1.50' }, { name: 'vprotect2', ip: '10.40.1.51' }] };
    const action = template({ src: tpl, dest: '/etc/drbd.d/r0.res', vars });
    action.preflight!();
    expect((await action.run(ctx)).changed).to.equal(true);
    expect(conn.files.get('/etc/drbd.d/r0.res')!.content.toString()).to.equal(
      'resource r0 {\n  on vprotect1 { address 10.40.1.50:7788; }\n  on vprotect2 { address 10.40.1.51:7788; }\n}\n',
    );
    expect((await action.run(ctx)).changed).to.equal(false);
  });

  it('a missing variable is a ConfigError naming the file and the variable, in preflight', () => {
    const action = template({ src: tpl, dest: '/etc/drbd.d/r0.res', vars: { name: 'r0', nodes: [{ name: 'a', ip: '1.2.3.4' }] } });
    expect(() => action.preflight!()).to.throw(ConfigError, /r0\.res\.hbs: line 3: variable "\.\.\/port" is not defined/);
  });

  it('a template that does not exist is named with its path under templates/', () => {
    expect(() => template({ src: 'no-such-template', dest: '/x', vars: {} }).preflight!()).to.throw(ConfigError, 'template templates/no-such-template.hbs: cannot read it (ENOENT)');
  });
});
