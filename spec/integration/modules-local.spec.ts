// The general-purpose modules run for real through LocalConnection on a temp directory: the probe
// scripts, the editors and the writes meet a real /bin/sh, coreutils and filesystem. File bytes are
// asserted exactly; every module runs twice (the second run must change nothing) and under --check.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Action, ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { localContext, withCheck, type LocalContext } from '../support/local-context';
import { readRemoteFile } from '../../modules/lib/remote-file';
import { copy } from '../../modules/copy';
import { template } from '../../modules/template';
import { file } from '../../modules/file';
import { lineinfile } from '../../modules/lineinfile';
import { blockinfile } from '../../modules/blockinfile';
import { iniFile } from '../../modules/ini_file';
import { hostsEntry } from '../../modules/hosts_entry';
import { command } from '../../modules/command';
import { shell } from '../../modules/shell';
import { script } from '../../modules/script';
import { slurp } from '../../modules/slurp';
import { fetch } from '../../modules/fetch';
import { copyFromHost } from '../../modules/copy_from_host';
import { passwordScript, userPassword } from '../../modules/user_password';
import { selinux } from '../../modules/selinux';
import { firewalld } from '../../modules/firewalld';

const run = promisify(execFile);

describe('modules on the controller (LocalConnection, real files)', function () {
  this.timeout(20_000);
  let ctx: LocalContext;
  let dir: string;
  const at = (name: string): string => path.join(dir, name);
  const read = (name: string): Promise<string> => fs.readFile(at(name), 'utf8');
  const mode = async (name: string): Promise<number> => (await fs.lstat(at(name))).mode & 0o7777;

  /** Run an action: under --check first (must not touch anything), then for real, then again (a no-op). */
  async function converge<R extends ModuleResult>(action: Action<R>, snapshot: () => Promise<unknown> = async () => undefined): Promise<{ check: R; first: R; second: R }> {
    action.preflight?.();
    const before = await snapshot();
    const check = await action.run(withCheck(ctx, true));
    expect(await snapshot(), 'check mode changed something').to.deep.equal(before);
    const first = await action.run(ctx);
    const second = await action.run(ctx);
    expect(check.changed, 'check mode predicts the change').to.equal(first.changed);
    expect(second.changed, `second run changed again: ${second.msg}`).to.equal(false);
    return { check, first, second };
  }

  before(async () => {
    ctx = await localContext();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'modules-local-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('the file probe (one exec)', () => {
    it('reads a regular file: kind, mode, owner, size, sha256, bytes', async () => {
      await fs.writeFile(at('a'), 'hello\n', { mode: 0o640 });
      await fs.chmod(at('a'), 0o640);
      const f = await readRemoteFile(ctx, at('a'), { depth: 'content' });
      expect(f).to.deep.include({ kind: 'file', mode: 0o640, uid: 0, gid: 0, owner: 'root', group: 'root', size: 6, realPath: at('a') });
      expect(f.sha256).to.equal('5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
      expect(f.content?.toString()).to.equal('hello\n');
    });

    it('keeps binary bytes, empty files and paths with spaces and quotes intact', async () => {
      const bytes = Buffer.from([0, 255, 10, 13, 0x80, 0x7f]);
      const odd = at(`it's a "file" $x`);
      await fs.writeFile(odd, bytes);
      await fs.writeFile(at('empty'), '');
      expect((await readRemoteFile(ctx, odd, { depth: 'content' })).content).to.deep.equal(bytes);
      const empty = await readRemoteFile(ctx, at('empty'), { depth: 'content' });
      expect(empty.kind).to.equal('file');
      expect(empty.content).to.deep.equal(Buffer.alloc(0));
    });

    it('follows symlinks to the real path, or reports the link itself when not following', async () => {
      await fs.writeFile(at('target'), 'x');
      await fs.symlink(at('target'), at('link'));
      const followed = await readRemoteFile(ctx, at('link'), { depth: 'hash' });
      expect(followed).to.deep.include({ kind: 'file', realPath: at('target') });
      const own = await readRemoteFile(ctx, at('link'), { depth: 'hash', follow: false });
      expect(own).to.deep.include({ kind: 'link', linkTarget: at('target') });
      expect(own.sha256).to.equal(undefined);
    });

    it('says whether an absent file could be created (parent directory present or not)', async () => {
      expect(await readRemoteFile(ctx, at('nope'), { depth: 'hash' })).to.deep.include({ kind: 'absent', parentIsDir: true });
      expect(await readRemoteFile(ctx, at('no/such/file'), { depth: 'hash' })).to.deep.include({ kind: 'absent', parentIsDir: false });
      expect((await readRemoteFile(ctx, dir, { depth: 'hash' })).kind).to.equal('directory');
    });

    it('returns no bytes above the size limit, only the hash', async () => {
      await fs.writeFile(at('big'), 'x'.repeat(100));
      const f = await readRemoteFile(ctx, at('big'), { depth: 'content', maxContentBytes: 99 });
      expect(f.content).to.equal(undefined);
      expect(f.sha256).to.have.length(64);
    });
  });

  describe('copy and template', () => {
    it('creates, then leaves alone, then updates a file; --diff shows before and after', async () => {
      const r = await converge(copy({ dest: at('c.conf'), content: 'one\n', mode: '0600' }), () => fs.readFile(at('c.conf')).catch(() => 'absent'));
      expect(r.first.changed).to.equal(true);
      expect(await read('c.conf')).to.equal('one\n');
      expect(await mode('c.conf')).to.equal(0o600);
      const diffCtx = await localContext({ diff: true, facts: ctx.facts });
      const upd = await copy({ dest: at('c.conf'), content: 'two\n' }).run(diffCtx);
      expect(upd.diffs).to.deep.equal([{ path: at('c.conf'), before: 'one\n', after: 'two\n' }]);
      expect(await mode('c.conf'), 'a rewrite keeps the mode').to.equal(0o600);
    });

    it('fixes only the mode when the content is right (chmod, no rewrite)', async () => {
      await fs.writeFile(at('m'), 'same\n', { mode: 0o644 });
      const inode = (await fs.stat(at('m'))).ino;
      const r = await converge(copy({ dest: at('m'), content: 'same\n', mode: 0o640 }), () => mode('m'));
      expect(r.first.msg).to.include('mode: 0644 -> 0640');
      expect(await mode('m')).to.equal(0o640);
      expect((await fs.stat(at('m'))).ino, 'same inode: not rewritten').to.equal(inode);
    });

    it('writes through a symlink to its target and keeps the link', async () => {
      await fs.writeFile(at('real.cnf'), 'old\n');
      await fs.symlink('real.cnf', at('my.cnf'));
      await converge(copy({ dest: at('my.cnf'), content: 'new\n' }));
      expect((await fs.lstat(at('my.cnf'))).isSymbolicLink()).to.equal(true);
      expect(await read('real.cnf')).to.equal('new\n');
    });

    it('copies a controller file (src) and fails clearly when the directory is missing', async () => {
      await fs.writeFile(at('local.src'), 'from the controller\n');
      await converge(copy({ src: at('local.src'), dest: at('remote.dst') }));
      expect(await read('remote.dst')).to.equal('from the controller\n');
      const err = await copy({ content: 'x', dest: at('missing/dir/f') }).run(ctx).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ModuleError);
      expect((err as Error).message).to.include(`directory ${at('missing/dir')} does not exist`);
    });

    it('renders a Handlebars template without HTML escaping', async () => {
      const tpl = at('t.hbs');
      await fs.writeFile(tpl, 'resource {{name}} {\n  address {{ip}}:{{port}}; # <{{note}}>\n}\n');
      const vars = { name: 'r0', ip: '10.0.0.1', port: 7788, note: 'a & b' };
      await converge(template({ src: tpl, dest: at('r0.res'), vars }));
      expect(await read('r0.res')).to.equal('resource r0 {\n  address 10.0.0.1:7788; # <a & b>\n}\n');
    });

    it('stops in preflight on a missing variable, naming the template and the variable', async () => {
      const tpl = at('bad.hbs');
      await fs.writeFile(tpl, 'ok\nserver_id={{mysql.serverId}}\n');
      const action = template({ src: tpl, dest: at('out'), vars: { mysql: {} } });
      expect(() => action.preflight!()).to.throw(ConfigError, /bad\.hbs: line 2: variable "mysql\.serverId" is not defined/);
    });
  });

  describe('file', () => {
    it('creates a directory with its mode, then a touched file, a link, and removes them', async () => {
      await converge(file({ path: at('d'), state: 'directory', mode: 0o750 }), () => fs.stat(at('d')).then((s) => s.mode, () => 'absent'));
      expect((await fs.stat(at('d'))).isDirectory()).to.equal(true);
      expect(await mode('d')).to.equal(0o750);
      await converge(file({ path: at('d/f'), state: 'touch', mode: '0600' }));
      expect(await mode('d/f')).to.equal(0o600);
      await converge(file({ path: at('l'), state: 'link', src: at('d/f') }));
      expect(await fs.readlink(at('l'))).to.equal(at('d/f'));
      await converge(file({ path: at('l'), state: 'link', src: at('d') }));
      expect(await fs.readlink(at('l')), 'relinked').to.equal(at('d'));
      await converge(file({ path: at('d'), state: 'absent' }));
      await fs.access(at('d')).then(() => expect.fail('still there'), () => undefined);
    });

    it('refuses to replace a regular file with a link unless forced', async () => {
      await fs.writeFile(at('f'), 'data');
      const err = await file({ path: at('f'), state: 'link', src: '/etc/hostname' }).run(ctx).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/is a file, not a symlink; set force: true/);
      await converge(file({ path: at('f'), state: 'link', src: '/etc/hostname', force: true }));
      expect(await fs.readlink(at('f'))).to.equal('/etc/hostname');
    });

    it('fails on state file for a missing path, pointing at touch', async () => {
      const err = await file({ path: at('nope'), state: 'file', mode: 0o600 }).run(ctx).catch((e: unknown) => e);
      expect((err as Error).message).to.include("does not exist; use state 'touch'");
    });
  });

  describe('text editors', () => {
    it('lineinfile replaces the matching line, keeps every other byte (CRLF, no final newline)', async () => {
      await fs.writeFile(at('cfg'), '# comment\r\nSELINUX=enforcing\r\nSELINUXTYPE=targeted');
      await converge(lineinfile({ path: at('cfg'), regexp: /^SELINUX=/, line: 'SELINUX=permissive' }), () => read('cfg'));
      expect(await read('cfg')).to.equal('# comment\r\nSELINUX=permissive\r\nSELINUXTYPE=targeted');
      await converge(lineinfile({ path: at('cfg'), line: 'new=1' }));
      expect(await read('cfg')).to.equal('# comment\r\nSELINUX=permissive\r\nSELINUXTYPE=targeted\nnew=1\n');
      await converge(lineinfile({ path: at('cfg'), regexp: '^SELINUXTYPE', state: 'absent' }));
      expect(await read('cfg')).to.equal('# comment\r\nSELINUX=permissive\r\nnew=1\n');
    });

    it('lineinfile needs create for a missing file', async () => {
      const err = await lineinfile({ path: at('new'), line: 'x' }).run(ctx).catch((e: unknown) => e);
      expect((err as Error).message).to.include('set create: true');
      await converge(lineinfile({ path: at('new'), line: 'x', create: true, mode: 0o600 }));
      expect(await read('new')).to.equal('x\n');
      expect(await mode('new')).to.equal(0o600);
    });

    it('blockinfile inserts, replaces and removes a marked block', async () => {
      await fs.writeFile(at('b'), 'top\nbottom\n');
      await converge(blockinfile({ path: at('b'), block: 'a\nb', insertafter: /^top$/ }));
      expect(await read('b')).to.equal('top\n# BEGIN MANAGED BLOCK\na\nb\n# END MANAGED BLOCK\nbottom\n');
      await converge(blockinfile({ path: at('b'), block: 'c\n' }));
      expect(await read('b')).to.equal('top\n# BEGIN MANAGED BLOCK\nc\n# END MANAGED BLOCK\nbottom\n');
      await converge(blockinfile({ path: at('b'), state: 'absent' }));
      expect(await read('b')).to.equal('top\nbottom\n');
    });

    it("ini_file edits the how-to's server.cnf keeping comments, order and bare options", async () => {
      const original = '#\n# These groups are read by MariaDB server.\n[server]\n\n# this is only for the mysqld standalone daemon\n[mysqld]\nlog-bin\nsocket=/var/lib/mysql/mysql.sock\n\n[galera]\n# wsrep_on=1\n';
      await fs.writeFile(at('server.cnf'), original);
      await converge(iniFile({ path: at('server.cnf'), section: 'mysqld', option: 'server_id', value: 1 }));
      await converge(iniFile({ path: at('server.cnf'), section: 'mysqld', option: 'replicate-do-db', value: 'vprotect' }));
      await converge(iniFile({ path: at('server.cnf'), section: 'mysqld', option: 'log_bin', equivalentDashes: true }));
      expect(await read('server.cnf')).to.equal(
        '#\n# These groups are read by MariaDB server.\n[server]\n\n# this is only for the mysqld standalone daemon\n[mysqld]\nlog-bin\nsocket=/var/lib/mysql/mysql.sock\nserver_id = 1\nreplicate-do-db = vprotect\n\n[galera]\n# wsrep_on=1\n',
      );
      await converge(iniFile({ path: at('server.cnf'), section: 'mysqld', option: 'log-bin', value: '/var/log/mysql/mysql-bin' }));
      expect(await read('server.cnf')).to.include('[mysqld]\nlog-bin = /var/log/mysql/mysql-bin\nsocket=');
    });

    it("hosts_entry deletes `127.0.0.1 <hostname>` precisely and adds the cluster's entries", async () => {
      const hosts = '127.0.0.1\tlocalhost vprotect1   # all-in-one install\n127.0.1.1\tvprotect1\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n10.40.1.50 vprotect1\n';
      await fs.writeFile(at('hosts'), hosts);
      await converge(
        hostsEntry({ path: at('hosts'), removeFromLoopback: ['vprotect1'], entries: [{ ip: '10.40.1.50', names: ['vprotect1'] }, { ip: '10.40.1.51', names: ['vprotect2'] }] }),
        () => read('hosts'),
      );
      expect(await read('hosts')).to.equal(
        '127.0.0.1\tlocalhost   # all-in-one install\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n10.40.1.50 vprotect1\n10.40.1.51 vprotect2\n',
      );
    });
  });

  describe('command, shell, script', () => {
    it('command runs argv without a shell; creates makes it idempotent and check-mode capable', async () => {
      const action = command({ argv: ['touch', at('made by "touch"')], creates: at('made by "touch"') });
      expect(action.checkMode).to.equal(true);
      expect(command({ argv: ['true'] }).checkMode, 'no guard: skipped under --check').to.equal(false);
      const r = await converge(action);
      expect(r.first).to.deep.include({ changed: true, ran: true, rc: 0 });
      expect(r.second).to.deep.include({ changed: false, ran: false });
      expect(r.second.msg).to.include('exists');
    });

    it('shell gets env, cwd and stdin; removes skips when the path is gone', async () => {
      await fs.writeFile(at('victim'), 'x');
      const r = await shell({ cmd: 'printf "%s|%s|" "$GREETING" "$(pwd)"; cat; rm victim', env: { GREETING: "it's me" }, cwd: dir, stdin: 'from stdin', removes: at('victim') }).run(ctx);
      expect(r).to.deep.include({ changed: true, stdout: `it's me|${dir}|from stdin` });
      const again = await shell({ cmd: 'rm victim', cwd: dir, removes: at('victim') }).run(ctx);
      expect(again).to.deep.include({ changed: false, ran: false });
    });

    it('a failing command is a ModuleError with exit code and stderr', async () => {
      const err = await shell({ cmd: 'echo boom >&2; exit 3' }).run(ctx).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ModuleError);
      expect((err as ModuleError).message).to.match(/exited 3: boom/);
      expect((err as ModuleError).detail?.rc).to.equal(3);
    });

    it('script pipes a local script to the interpreter named by its #! line, with arguments', async () => {
      await fs.writeFile(at('s.sh'), '#!/bin/sh\necho "sh:$1:$2"\n');
      await fs.writeFile(at('s.py'), '#!/usr/bin/env python3\nimport sys\nprint("py:" + ",".join(sys.argv[1:]))\n');
      expect((await script({ src: at('s.sh'), args: ['a b', 'c'] }).run(ctx)).stdout).to.equal('sh:a b:c\n');
      expect((await script({ src: at('s.py'), args: ['x', 'y'] }).run(ctx)).stdout).to.equal('py:x,y\n');
    });
  });

  describe('slurp, fetch, copy_from_host', () => {
    it('slurps text and base64, registering the content as a secret when asked', async () => {
      await fs.writeFile(at('key'), 'LICENSE-123\n');
      const r = await slurp({ path: at('key'), secret: true }).run(ctx);
      expect(r).to.deep.include({ changed: false, content: 'LICENSE-123\n', encoding: 'utf8' });
      expect(ctx.secrets).to.include('LICENSE-123\n');
      expect((await slurp({ path: at('key'), encoding: 'base64' }).run(ctx)).content).to.equal(Buffer.from('LICENSE-123\n').toString('base64'));
    });

    it('fetches to DEST/HOST/SRC on the controller, once', async () => {
      await fs.writeFile(at('remote.txt'), 'fetched\n');
      const r = await converge(fetch({ src: at('remote.txt'), dest: at('fetched') }));
      expect(r.first.dest).to.equal(path.join(at('fetched'), 'localhost', at('remote.txt')));
      expect(await fs.readFile(r.first.dest, 'utf8')).to.equal('fetched\n');
    });

    it("copies a file from another host keeping the source's mode", async () => {
      await fs.writeFile(at('.session.properties'), 'session=1\n', { mode: 0o600 });
      await fs.chmod(at('.session.properties'), 0o600);
      await converge(copyFromHost({ from: 'localhost', src: at('.session.properties'), dest: at('copy.properties') }));
      expect(await read('copy.properties')).to.equal('session=1\n');
      expect(await mode('copy.properties')).to.equal(0o600);
    });
  });

  describe('selinux and firewalld where neither runs (this Debian controller)', () => {
    it('selinux reports "not installed" and touches nothing', async () => {
      const r = await selinux({ state: 'permissive', permissiveTypes: ['drbd_t'] }).run(ctx);
      expect(r).to.deep.include({ changed: false, present: false, msg: 'SELinux is not installed' });
    });

    it('firewalld reports "not running" and touches nothing', async () => {
      const r = await firewalld({ services: ['high-availability'], ports: ['7788/tcp'] }).run(ctx);
      expect(r.changed).to.equal(false);
      expect(r.running).to.equal(false);
      expect(r.msg).to.match(/^firewalld not running/);
    });
  });

  describe('user_password (a throwaway local user)', () => {
    let user: string;
    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      user = `mpw${randomBytes(3).toString('hex')}`;
      await run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    });
    after(async () => {
      if (user) await run('userdel', [user]).catch(() => undefined);
    });
    const shadowHash = async (): Promise<string> => (await fs.readFile('/etc/shadow', 'utf8')).split('\n').find((l) => l.startsWith(`${user}:`))!.split(':')[1]!;

    it('sets the password when it differs, verifies it against the current hash, and never shows it', async () => {
      const pw = `s3cr3t ${randomBytes(4).toString('hex')}:with$stuff`;
      const r = await converge(userPassword({ user, password: pw }), shadowHash);
      expect(r.first.msg).to.equal(`changed the password of ${user}`);
      const hash = await shadowHash();
      expect(hash).to.match(/^\$6\$[A-Za-z0-9./]{16}\$/);
      const { stdout } = await run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', pw, hash]);
      expect(stdout, 'the stored hash verifies the password').to.equal(hash);
      expect(ctx.logs.join('\n')).not.to.include(pw);
      expect(ctx.secrets).to.include(pw);
      const other = await userPassword({ user, password: 'another one' }).run(ctx);
      expect(other.changed).to.equal(true);
    });

    it('sets a given hash with chpasswd -e, once', async () => {
      const { stdout: hash } = await run('openssl', ['passwd', '-6', '-salt', 'abcdefgh', 'hashed-pw']);
      await converge(userPassword({ user, hash: hash.trim() }), shadowHash);
      expect(await shadowHash()).to.equal(hash.trim());
    });

    it('hashes with perl, then python3, where openssl is missing (a PATH without it)', async () => {
      for (const [label, tools] of [['perl', ['perl']], ['python3', ['python3']]] as const) {
        const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'pwbin-'));
        for (const tool of ['getent', 'cut', 'cat', 'chpasswd', ...tools]) {
          // The system's own binaries (a pyenv shim on PATH would need bash).
          await fs.symlink(tool === 'chpasswd' ? '/usr/sbin/chpasswd' : `/usr/bin/${tool}`, path.join(bin, tool));
        }
        const pw = `via-${label}-${randomBytes(3).toString('hex')}`;
        const r = await ctx.conn.exec(passwordScript(user, 'password', false, 'saltsaltsalt1234'), { stdin: pw, env: { PATH: bin } });
        expect(r, r.stderr).to.deep.include({ code: 0, stdout: 'changed\n' });
        const hash = await shadowHash();
        expect(hash.startsWith('$6$saltsaltsalt1234$'), hash).to.equal(true);
        const { stdout } = await run('openssl', ['passwd', '-6', '-salt', 'saltsaltsalt1234', pw]);
        expect(stdout.trim(), `${label} made the same hash as openssl`).to.equal(hash);
        await fs.rm(bin, { recursive: true });
      }
    });

    it('names a missing user', async () => {
      const err = await userPassword({ user: 'no_such_user_x', password: 'x' }).run(ctx).catch((e: unknown) => e);
      expect((err as Error).message).to.include('user no_such_user_x does not exist');
    });
  });
});
