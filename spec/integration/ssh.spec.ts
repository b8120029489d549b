// SshConnection against a real OpenSSH server started per run on 127.0.0.1 (no mocks of ssh2).
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { openConnection, SshConnection, type ConnectionOptions } from '../../engine/connection';
import { ModuleError, UnreachableError } from '../../engine/errors';
import type { HostEntry } from '../../engine/inventory/types';
import type { Connection, HostName } from '../../engine/types';
import { sh } from '../../engine/shell';
import { freePort, keygen, TestSshd } from '../support/sshd';
import { createSudoUser, type SystemUser } from '../support/system-user';
import { failure } from '../support/failure';

const run = promisify(execFile);

describe('SSH connection (real sshd)', function () {
  this.timeout(30000);
  let sshd: TestSshd;
  let work: string;
  let knownHosts: string;
  const open: Connection[] = [];

  before(async () => {
    sshd = await TestSshd.start({ maxSessions: 4 });
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-ssh-'));
    knownHosts = path.join(work, 'known_hosts');
    await fs.writeFile(knownHosts, sshd.knownHostsLines());
  });
  after(async () => {
    await sshd?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  function entry(vars: Record<string, unknown>, server: TestSshd = sshd): HostEntry {
    return {
      name: 'h1' as HostName,
      groups: ['all'],
      vars: { ansible_host: '127.0.0.1', ansible_port: server.port, ansible_ssh_private_key_file: server.clientKey.file, ...vars },
    };
  }
  function connect(vars: Record<string, unknown> = {}, opts: ConnectionOptions = {}, server: TestSshd = sshd): SshConnection {
    const c = openConnection(entry(vars, server), { knownHostsFile: knownHosts, ...opts });
    expect(c).to.be.instanceOf(SshConnection);
    open.push(c);
    return c as SshConnection;
  }

  describe('exec', () => {
    it('returns stdout, stderr and the exit code', async () => {
      const r = await connect().exec('echo out; echo err >&2; exit 3');
      expect(r).to.deep.equal({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    });

    it('feeds stdin and sets env, cwd and LC_ALL=C', async () => {
      const c = connect();
      expect((await c.exec('cat', { stdin: 'line 1\nline 2' })).stdout).to.equal('line 1\nline 2');
      const env = { ODD: `a b'c $HOME "q"`, EMPTY: '' };
      const r = await c.exec(`printf '%s|%s|%s|%s' "$ODD" "$EMPTY" "$(pwd)" "$LC_ALL"`, { env, cwd: '/usr/share' });
      expect(r.stdout).to.equal(`a b'c $HOME "q"||/usr/share|C`);
    });

    it('reports a missing cwd as a failed command', async () => {
      const r = await connect().exec('echo never', { cwd: '/does/not/exist' });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
    });

    it('maps a signal to 128+n', async () => {
      expect((await connect().exec('kill -TERM $$')).code).to.equal(143);
    });

    it('kills the whole command on timeout and returns 124', async () => {
      const pidFile = path.join(work, `bg-${randomBytes(4).toString('hex')}`);
      const c = connect();
      const r = await c.exec(sh`sleep 30 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 2500 });
      expect(r.code).to.equal(124);
      expect(r.stdout).to.equal('started\n');
      expect(r.stderr).to.match(/timed out after 2500 ms/);
      const pid = (await fs.readFile(pidFile, 'utf8')).trim();
      expect(processState(pid), `background sleep ${pid} still running`).to.be.oneOf(['gone', 'Z', 'killed']);
      expect((await c.exec('echo still usable')).stdout).to.equal('still usable\n');
    });

    it('runs concurrent commands over one connection, several channels at once', async () => {
      const c = connect();
      const file = path.join(work, `rendezvous-${randomBytes(4).toString('hex')}`);
      // Each command waits until all three have started: this only finishes if they run at the same time.
      const cmd = sh`echo x >> ${file}; n=0; while [ $(wc -l < ${file}) -lt 3 ]; do n=$((n+1)); [ $n -gt 200 ] && exit 9; sleep 0.05; done; echo "$SSH_CLIENT"`;
      const results = await Promise.all([1, 2, 3].map(() => c.exec(cmd)));
      expect(results.map((r) => r.code)).to.deep.equal([0, 0, 0]);
      // SSH_CLIENT is "client-ip client-port server-port": one source port means one TCP connection.
      expect(new Set(results.map((r) => r.stdout)).size).to.equal(1);
      // The first takes the command shell; the others, finding it busy, get exec channels.
      expect(c.stats).to.deep.equal({ execs: 3, sessions: 3, handshakes: 1 });
    });

    it('queues commands beyond the server session limit (MaxSessions 4)', async () => {
      const c = connect();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => c.exec(`sleep 0.2; echo ${i}`)));
      expect(results.map((r) => r.stdout)).to.deep.equal(Array.from({ length: 12 }, (_, i) => `${i}\n`));
      expect(c.stats).to.deep.equal({ execs: 12, sessions: 12, handshakes: 1 });
    });

    it('runs one command after another in one long-lived shell, each in its own /bin/sh', async () => {
      const c = connect();
      const first = await c.exec('cd /tmp; export LEAK=1; echo $$');
      const second = await c.exec('pwd; echo "leak=${LEAK:-}"; echo $$', { cwd: '/' });
      const third = await c.exec('echo "$GREETING"', { env: { GREETING: "it's" } });
      expect(second.stdout.split('\n').slice(0, 2)).to.deep.equal(['/', 'leak=']);
      expect(second.stdout.split('\n')[2]).to.not.equal(first.stdout.trim());
      expect(third.stdout).to.equal("it's\n");
      expect(c.stats).to.deep.equal({ execs: 3, sessions: 1, handshakes: 1 });
    });

    it('keeps output without a final newline, large output and binary bytes intact', async () => {
      const c = connect();
      expect(await c.exec('printf "no newline"; printf "err" >&2')).to.deep.equal({ code: 0, stdout: 'no newline', stderr: 'err' });
      const big = await c.exec('head -c 2000000 /dev/zero | tr "\\0" x');
      expect(big.stdout).to.equal('x'.repeat(2000000));
      expect((await c.exec('printf "%s\\n" done')).stdout).to.equal('done\n');
    });

    it('fails a command whose shell is killed under it, naming the host, and goes on with a new shell', async () => {
      const c = connect();
      const e = await failure(c.exec('kill -KILL $PPID'));
      expect(e).to.be.instanceOf(UnreachableError);
      expect((e as UnreachableError).host).to.equal('h1');
      expect(e.message).to.match(/^the command shell on root@127\.0\.0\.1:\d+ ended while a command ran \(killed on the host\?\); the command's outcome is unknown$/);
      expect(await c.exec('echo again')).to.deep.equal({ code: 0, stdout: 'again\n', stderr: '' });
      expect(c.stats.sessions).to.equal(2);
    });

    it('gives the shell\'s session back when the server allows only one (MaxSessions 1)', async () => {
      const single = await TestSshd.start({ maxSessions: 1 });
      try {
        await fs.appendFile(knownHosts, single.knownHostsLines());
        const c = connect({}, {}, single);
        expect((await c.exec('echo shell')).stdout).to.equal('shell\n');
        // stdin needs an exec channel: the idle shell is closed to make room for it.
        expect((await c.exec('cat', { stdin: 'piped' })).stdout).to.equal('piped');
        expect((await c.exec('echo after')).stdout).to.equal('after\n');
        expect(await c.get('/etc/hostname')).to.be.instanceOf(Buffer);
      } finally {
        await Promise.all(open.splice(0).map((c) => c.close()));
        await single.stop();
      }
    });

    it('shares one handshake between concurrent first calls and logs in once', async () => {
      const before = (sshd.output.match(/Accepted publickey for root/g) ?? []).length;
      const c = connect();
      await Promise.all([c.exec('true'), c.get('/etc/hostname'), c.exec('true')]);
      expect(c.stats.handshakes).to.equal(1);
      const after = (sshd.output.match(/Accepted publickey for root/g) ?? []).length;
      expect(after - before).to.equal(1);
    });
  });

  describe('put and get', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(work, 'files-'));
    });

    it('writes a new file with its mode and reads it back', async () => {
      const c = connect();
      const target = path.join(dir, 'new.conf');
      await c.put(target, 'hello\n', { mode: 0o640 });
      expect((await fs.stat(target)).mode & 0o7777).to.equal(0o640);
      expect((await c.get(target))?.toString()).to.equal('hello\n');
      expect(await fs.readdir(dir)).to.deep.equal(['new.conf']);
    });

    it('replaces atomically (new inode), keeps mode and owner when none is given, leaves no temp file', async () => {
      const c = connect();
      const target = path.join(dir, 'app.conf');
      await fs.writeFile(target, 'old\n', { mode: 0o600 });
      await fs.chmod(target, 0o604);
      await run('chown', ['nobody:nogroup', target]);
      const inodeBefore = (await fs.stat(target)).ino;
      const bytes = randomBytes(70000);
      await c.put(target, bytes);
      const st = await fs.stat(target);
      expect(st.ino).to.not.equal(inodeBefore);
      expect(st.mode & 0o7777).to.equal(0o604);
      expect((await run('stat', ['-c', '%U:%G', target])).stdout.trim()).to.equal('nobody:nogroup');
      expect((await c.get(target))?.equals(bytes)).to.equal(true);
      expect(await fs.readdir(dir)).to.deep.equal(['app.conf']);
    });

    it('sets owner and group when given', async () => {
      const target = path.join(dir, 'owned');
      await connect().put(target, 'x', { owner: 'nobody', group: 'nogroup', mode: 0o644 });
      expect((await run('stat', ['-c', '%U:%G:%a', target])).stdout.trim()).to.equal('nobody:nogroup:644');
    });

    it('fails cleanly, leaving no temp file, when the owner does not exist', async () => {
      const target = path.join(dir, 'bad-owner');
      const e = await failure(connect().put(target, 'x', { owner: 'no-such-user-here' }));
      expect(e).to.be.instanceOf(ModuleError);
      expect(e.message).to.match(/no-such-user-here/);
      expect(await fs.readdir(dir)).to.deep.equal([]);
    });

    it('returns undefined for a missing file', async () => {
      expect(await connect().get(path.join(dir, 'missing'))).to.equal(undefined);
    });
  });

  describe('become (sudo) as a non-root login', () => {
    let pwUser: SystemUser;
    let npUser: SystemUser;
    let rootDir: string;

    before(async () => {
      pwUser = await createSudoUser('sshtpw', 'password');
      npUser = await createSudoUser('sshtnp', 'nopasswd');
      rootDir = await fs.mkdtemp(path.join(work, 'rootonly-'));
      await fs.chmod(rootDir, 0o700);
    });
    after(async () => {
      await pwUser?.remove();
      await npUser?.remove();
    });

    // Logs in with the password (no key), so this also covers password authentication.
    const asUser = (u: SystemUser, becomePassword: string | null = u.password): SshConnection =>
      connect({ ansible_user: u.name, ansible_ssh_private_key_file: undefined, ansible_password: u.password, ansible_become_password: becomePassword ?? undefined });

    it('runs as root through sudo with the password on stdin, not on the command line', async () => {
      const c = asUser(pwUser);
      expect((await c.exec('id -un')).stdout).to.equal(`${pwUser.name}\n`);
      const r = await c.exec('id -u; ps -eo args', { become: true });
      expect(r.code).to.equal(0);
      expect(r.stdout.split('\n')[0]).to.equal('0');
      expect(r.stdout + r.stderr).to.not.include(pwUser.password);
      expect((await c.exec('cat', { become: true, stdin: 'payload\n' })).stdout).to.equal('payload\n');
    });

    it('does not leak the password into stdin when sudo asks for none', async () => {
      const c = asUser(npUser);
      const r = await c.exec('cat', { become: true, stdin: 'only this' });
      expect(r).to.deep.equal({ code: 0, stdout: 'only this', stderr: '' });
    });

    it('uses sudo -n when no become password is configured', async () => {
      expect((await asUser(npUser, null).exec('id -u', { become: true })).stdout).to.equal('0\n');
      const r = await asUser(pwUser, null).exec('id -u', { become: true });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/password is required/);
    });

    it('fails without hanging on a wrong become password', async () => {
      const r = await asUser(pwUser, 'wrong-password').exec('id -u', { become: true });
      expect(r.code).to.not.equal(0);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/incorrect password|no password was provided/);
    });

    it('puts and gets root-only files through sudo, atomically', async () => {
      const c = asUser(pwUser);
      const target = path.join(rootDir, 'secret.conf');
      await c.put(target, 'v1\n', { become: true, mode: 0o600 });
      const st = await fs.stat(target);
      expect([st.uid, st.mode & 0o7777]).to.deep.equal([0, 0o600]);
      const inode = st.ino;
      await c.put(target, 'v2\n', { become: true });
      const st2 = await fs.stat(target);
      expect([st2.ino === inode, st2.mode & 0o7777]).to.deep.equal([false, 0o600]);
      expect((await c.get(target, { become: true }))?.toString()).to.equal('v2\n');
      expect(await c.get(path.join(rootDir, 'missing'), { become: true })).to.equal(undefined);
      expect(await fs.readdir(rootDir)).to.deep.equal(['secret.conf']);
      const e = await failure(c.get(target));
      expect(e).to.be.instanceOf(ModuleError);
    });

    it('kills a timed-out command run through sudo', async () => {
      const c = asUser(pwUser);
      const pidFile = path.join(rootDir, 'sudo-bg.pid');
      const r = await c.exec(sh`sleep 30 & echo $! > ${pidFile}; wait`, { become: true, timeoutMs: 2500 });
      expect(r.code).to.equal(124);
      const pid = (await fs.readFile(pidFile, 'utf8')).trim();
      expect(processState(pid), `sleep ${pid} still running`).to.be.oneOf(['gone', 'Z', 'killed']);
    });
  });

  describe('authentication failures', () => {
    it('names user@address:port and the methods tried for a wrong key', async () => {
      const wrong = await keygen(path.join(work, `wrong-${randomBytes(3).toString('hex')}`), 'ed25519');
      const c = connect({ ansible_ssh_private_key_file: wrong.file });
      const e = await failure(c.exec('true'));
      expect(e).to.be.instanceOf(UnreachableError);
      expect((e as UnreachableError).host).to.equal('h1');
      expect(e.message).to.include(`authentication failed for root@127.0.0.1:${sshd.port}`);
      expect(e.message).to.include(`publickey ${wrong.file}`);
      // Later calls fail the same way, without a new handshake.
      expect((await failure(c.exec('true'))).message).to.equal(e.message);
      expect(c.stats.handshakes).to.equal(1);
    });

    it('reports a missing key file and a wrong password', async () => {
      const e = await failure(
        connect({ ansible_ssh_private_key_file: path.join(work, 'nope'), ansible_password: 'not-it' }).exec('true'),
      );
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.include('tried password');
      expect(e.message).to.include(`key ${path.join(work, 'nope')}: ENOENT`);
      expect(e.message).to.not.include('not-it');
    });

    it('logs in through ssh-agent first, then falls back to the key file', async () => {
      const agentDir = await fs.mkdtemp(path.join(work, 'agent-'));
      const sock = path.join(agentDir, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      const saved = process.env.SSH_AUTH_SOCK;
      try {
        while (!(await fs.stat(sock).catch(() => undefined))) await new Promise((r) => setTimeout(r, 20));
        const wrong = await keygen(path.join(agentDir, 'wrong'), 'ed25519');
        await run('ssh-add', [wrong.file], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
        process.env.SSH_AUTH_SOCK = sock;
        // The agent holds only a wrong key: the key file after it gets in.
        expect((await connect().exec('echo via-file')).stdout).to.equal('via-file\n');
        const e = await failure(connect({ ansible_ssh_private_key_file: wrong.file }).exec('true'));
        expect(e.message).to.include(`tried ssh-agent, publickey ${wrong.file}`);
        // With the right key in the agent, no key file is needed.
        await run('ssh-add', [sshd.clientKey.file], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
        expect((await connect({ ansible_ssh_private_key_file: path.join(agentDir, 'none') }).exec('echo via-agent')).stdout).to.equal(
          'via-agent\n',
        );
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
        agent.kill();
      }
    });

    it('reports a silent server (no SSH banner) as a handshake timeout, and a non-SSH server cleanly', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((sock) => sockets.push(sock));
      const http = net.createServer((sock) => sock.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      const listen = (srv: net.Server): Promise<number> =>
        new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));
      try {
        const silentPort = await listen(silent);
        const e = await failure(connect({ ansible_port: silentPort }, { connectTimeoutMs: 300 }).exec('true'));
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.equal(`no SSH handshake with root@127.0.0.1:${silentPort} within 300 ms (host down or port filtered?)`);
        const httpPort = await listen(http);
        const e2 = await failure(connect({ ansible_port: httpPort }).exec('true'));
        expect(e2).to.be.instanceOf(UnreachableError);
        expect(e2.message).to.include(`127.0.0.1:${httpPort}`);
      } finally {
        sockets.forEach((s) => s.destroy());
        silent.close();
        http.close();
      }
    });

    it('reports a refused port', async () => {
      const port = await freePort();
      const e = await failure(connect({ ansible_port: port }).exec('true'));
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.match(new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
    });
  });

  describe('host keys', () => {
    const file = (): string => path.join(work, `kh-${randomBytes(4).toString('hex')}`, 'known_hosts');

    it('refuses an unknown key, showing its SHA256 fingerprint and the flag to accept it', async () => {
      const kh = file();
      const e = await failure(connect({}, { knownHostsFile: kh }).exec('true'));
      expect(e).to.be.instanceOf(UnreachableError);
      const ed = sshd.hostKeys.find((k) => k.type === 'ed25519')!;
      expect(e.message).to.include(`ED25519 key ${ed.fingerprint}`);
      expect(e.message).to.match(/SHA256:[A-Za-z0-9+/]{43}(?!=)/);
      expect(e.message).to.include('--accept-new-host-keys');
    });

    it('records an unknown key with --accept-new-host-keys (file created 0600), then trusts it', async () => {
      const kh = file();
      expect((await connect({}, { knownHostsFile: kh, acceptNewHostKeys: true }).exec('echo hi')).stdout).to.equal('hi\n');
      expect((await fs.stat(kh)).mode & 0o777).to.equal(0o600);
      const found = await run('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', kh]);
      expect(found.stdout).to.include('ssh-ed25519');
      expect((await connect({}, { knownHostsFile: kh }).exec('echo again')).stdout).to.equal('again\n');
    });

    it('fails on a changed key, naming the file and line, even with --accept-new-host-keys', async () => {
      const kh = file();
      const other = await keygen(path.join(work, `fake-host-${randomBytes(3).toString('hex')}`), 'ed25519');
      await fs.mkdir(path.dirname(kh));
      await fs.writeFile(kh, `# lab\notherhost ${sshd.hostKeys[0]!.pub}\n[127.0.0.1]:${sshd.port} ${other.pub}\n`);
      for (const acceptNewHostKeys of [false, true]) {
        const e = await failure(connect({}, { knownHostsFile: kh, acceptNewHostKeys }).exec('true'));
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.include('HOST KEY CHANGED');
        expect(e.message).to.include(`${kh}:3`);
      }
      expect(readFileSync(kh, 'utf8').split('\n').length).to.equal(4); // nothing was appended
    });

    it('reads hashed entries (ssh-keygen -H) and prefers the key type already known', async () => {
      const kh = file();
      await fs.mkdir(path.dirname(kh));
      await fs.writeFile(kh, sshd.knownHostsLines(['ecdsa'])); // the server also has ed25519, offered first by default
      await run('ssh-keygen', ['-H', '-f', kh]);
      expect(readFileSync(kh, 'utf8')).to.match(/^\|1\|/);
      expect((await connect({}, { knownHostsFile: kh }).exec('echo ok')).stdout).to.equal('ok\n');
    });

    it('takes the known_hosts file from ansible_ssh_known_hosts_file', async () => {
      const c = connect({ ansible_ssh_known_hosts_file: knownHosts }, { knownHostsFile: file() });
      expect((await c.exec('echo ok')).stdout).to.equal('ok\n');
    });
  });

  describe('lost connections', () => {
    it('rejects the in-flight and later calls of the dropped host only, without crashing', async () => {
      const doomed = await TestSshd.start();
      try {
        const kh = path.join(work, `kh-doomed-${doomed.port}`);
        await fs.writeFile(kh, doomed.knownHostsLines());
        const victim = connect({}, { knownHostsFile: kh }, doomed);
        const survivor = connect();
        await Promise.all([victim.exec('true'), survivor.exec('true')]);
        const begun = path.join(work, `begun-${doomed.port}`);
        const inFlight = failure(victim.exec(sh`echo begun > ${begun}; sleep 30`));
        await victim.get('/etc/hostname');
        // Crash only once the command runs (not while root's shell still reads its startup files).
        while (!(await fs.stat(begun).catch(() => undefined))) await new Promise((r) => setTimeout(r, 50));
        doomed.crash();
        const e = await inFlight;
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.include(`connection to root@127.0.0.1:${doomed.port} lost`);
        expect(await failure(victim.exec('true'))).to.be.instanceOf(UnreachableError);
        expect(await failure(victim.put('/tmp/x', 'x'))).to.be.instanceOf(UnreachableError);
        expect((await survivor.exec('echo alive')).stdout).to.equal('alive\n');
        expect(victim.stats.handshakes).to.equal(1);
      } finally {
        await doomed.stop();
      }
    });

    it('close() is idempotent and later calls reject', async () => {
      const c = connect();
      await c.exec('true');
      await c.close();
      await c.close();
      expect(await failure(c.exec('true'))).to.be.instanceOf(UnreachableError);
    });
  });
});

/**
 * 'gone', or the state letter from /proc/PID/stat (Z = zombie, i.e. dead); 'killed' for a process that has
 * SIGKILL pending: on a loaded machine it may still show R until the scheduler lets it die.
 */
function processState(pid: string): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[1]}`) & 0x100n) !== 0n);
    return pending && state !== 'Z' ? 'killed' : state;
  } catch {
    return 'gone';
  }
}
