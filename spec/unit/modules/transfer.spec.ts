// slurp, fetch and copy_from_host on fake hosts.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModuleError } from '../../../engine/errors';
import { slurp } from '../../../modules/slurp';
import { fetch } from '../../../modules/fetch';
import { copyFromHost } from '../../../modules/copy_from_host';
import { fakeHost, moduleContext } from '../../support/module-context';
import { changingCommands, fakeFs, puts } from '../../support/fake-files';

describe('slurp (fake host)', () => {
  it('reads with get (no command line), as text or base64; secret content is registered', async () => {
    const conn = fakeHost('vprotect1').file('/opt/vprotect/license.key', 'KEY-1\n');
    const ctx = moduleContext(conn);
    expect(await slurp({ path: '/opt/vprotect/license.key', secret: true }).run(ctx)).to.deep.include({ changed: false, content: 'KEY-1\n', encoding: 'utf8' });
    expect(conn.commands).to.deep.equal([]);
    expect(ctx.secrets).to.deep.equal(['KEY-1\n']);
    expect((await slurp({ path: '/opt/vprotect/license.key', encoding: 'base64' }).run(ctx)).content).to.equal('S0VZLTEK');
  });

  it('fails for a missing file and for binary content read as text', async () => {
    const conn = fakeHost('h');
    conn.files.set('/bin/x', { content: Buffer.from([0xff, 0xfe, 0]) });
    const ctx = moduleContext(conn);
    expect(((await slurp({ path: '/nope' }).run(ctx).catch((e: unknown) => e)) as Error).message).to.equal('/nope does not exist on h');
    expect(((await slurp({ path: '/bin/x' }).run(ctx).catch((e: unknown) => e)) as Error).message).to.include("slurp it with encoding 'base64'");
  });
});

describe('fetch (fake host)', () => {
  it('writes DEST/HOST/SRC once; --check writes nothing', async () => {
    const dest = await fs.mkdtemp(path.join(os.tmpdir(), 'fetch-'));
    const conn = fakeHost('vprotect1').file('/etc/vdoconf.yml', 'config: {}\n');
    const target = path.join(dest, 'vprotect1', 'etc', 'vdoconf.yml');
    const check = await fetch({ src: '/etc/vdoconf.yml', dest }).run(moduleContext(conn, { check: true }));
    expect(check).to.deep.include({ changed: true, dest: target });
    await fs.access(target).then(() => expect.fail('written under --check'), () => undefined);
    expect((await fetch({ src: '/etc/vdoconf.yml', dest }).run(moduleContext(conn))).changed).to.equal(true);
    expect(await fs.readFile(target, 'utf8')).to.equal('config: {}\n');
    expect((await fetch({ src: '/etc/vdoconf.yml', dest }).run(moduleContext(conn))).changed).to.equal(false);
    const flat = await fetch({ src: '/etc/vdoconf.yml', dest: path.join(dest, 'flat.yml'), flat: true }).run(moduleContext(conn));
    expect(flat.dest).to.equal(path.join(dest, 'flat.yml'));
    await fs.rm(dest, { recursive: true });
  });
});

describe('copy_from_host (fake hosts)', () => {
  function pair() {
    const src = fakeHost('vprotect1');
    const dst = fakeHost('vprotect2');
    fakeFs(src);
    fakeFs(dst);
    src.file('/opt/vprotect/.session.properties', 'session=abc\n', { mode: 0o600, owner: 'vprotect', group: 'vprotect' });
    return { src, dst, ctx: moduleContext(dst, { peers: [src] }) };
  }
  const action = copyFromHost({ from: 'vprotect1', src: '/opt/vprotect/.session.properties' });

  it("compares sha256 on both hosts, moves the bytes once, keeping the source's mode and owner", async () => {
    const { src, dst, ctx } = pair();
    const r = await action.run(ctx);
    expect(r).to.deep.include({ changed: true, dest: '/opt/vprotect/.session.properties' });
    expect(src.ops.map((o) => o.kind)).to.deep.equal(['exec', 'get']);
    expect(puts(dst)).to.deep.equal([{ path: '/opt/vprotect/.session.properties', content: 'session=abc\n', opts: { mode: 0o600, owner: 'vprotect', group: 'vprotect', become: false } }]);
    const again = await action.run(ctx);
    expect(again.changed).to.equal(false);
    expect(src.ops.filter((o) => o.kind === 'get'), 'identical: no transfer').to.have.length(1);
  });

  it('under --check changes nothing on the destination', async () => {
    const { dst, src } = pair();
    const r = await action.run(moduleContext(dst, { peers: [src], check: true }));
    expect(r).to.deep.include({ changed: true });
    expect(puts(dst)).to.deep.equal([]);
  });

  it('fixes only the mode when the bytes are already there', async () => {
    const { dst, ctx } = pair();
    dst.file('/opt/vprotect/.session.properties', 'session=abc\n', { mode: 0o644, owner: 'vprotect', group: 'vprotect' });
    await action.run(ctx);
    expect(changingCommands(dst)).to.deep.equal(['chmod 0600 -- /opt/vprotect/.session.properties']);
    expect(puts(dst)).to.deep.equal([]);
  });

  it('on the source host itself (same path) it is a no-op', async () => {
    const { src } = pair();
    const r = await action.run(moduleContext(src));
    expect(r).to.deep.include({ changed: false, msg: '/opt/vprotect/.session.properties is the source itself' });
    expect(puts(src)).to.deep.equal([]);
  });

  it("names the source host when the file is missing there (the how-to's /tmp/vprotect_rep.sql typo)", async () => {
    const { ctx } = pair();
    const err = await copyFromHost({ from: 'vprotect1', src: '/tmp/vprotect_rep.sql' }).run(ctx).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.equal('/tmp/vprotect_rep.sql on vprotect1 does not exist');
  });
});
