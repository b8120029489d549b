// The general-purpose modules on real lab hosts (systemd-nspawn, Debian 12) over SSH: package with the
// lab's apt repository, service on systemd units of the spec's own, user_password on a throwaway user,
// the file modules on the host's real config files (copied into a scratch directory), the firewalld /
// SELinux "absent" cases, and a cross-host copy. Everything the spec changes is put back in after().
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Action, Connection, ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { labContext, withFlags, type LabContext } from '../support/lab-context';
import { packageModule } from '../../modules/package';
import { service } from '../../modules/service';
import { userPassword } from '../../modules/user_password';
import { copy } from '../../modules/copy';
import { template } from '../../modules/template';
import { file } from '../../modules/file';
import { lineinfile } from '../../modules/lineinfile';
import { iniFile } from '../../modules/ini_file';
import { hostsEntry } from '../../modules/hosts_entry';
import { firewalld } from '../../modules/firewalld';
import { selinux } from '../../modules/selinux';
import { command } from '../../modules/command';
import { shell } from '../../modules/shell';
import { fetch } from '../../modules/fetch';
import { copyFromHost } from '../../modules/copy_from_host';

async function ok(conn: Connection, cmd: string): Promise<string> {
  const r = await conn.exec(cmd);
  expect(r.code, `${cmd}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

describe('modules on lab hosts (real SSH, systemd, apt)', function () {
  this.timeout(120_000);
  let lab: LabHandle;
  let one: LabContext;
  let two: LabContext;
  const tag = randomBytes(3).toString('hex');
  const scratch = `/tmp/modspec-${tag}`;

  /** --check first (must predict and change nothing), then for real, then again (a no-op). */
  async function converge<R extends ModuleResult>(ctx: LabContext, action: Action<R>, snapshot: () => Promise<unknown>): Promise<R> {
    action.preflight?.();
    const before = await snapshot();
    const check = await action.run(withFlags(ctx, { check: true }));
    expect(await snapshot(), 'check mode changed the host').to.deep.equal(before);
    const first = await action.run(ctx);
    expect(check.changed, 'check mode predicts the change').to.equal(first.changed);
    const second = await action.run(ctx);
    expect(second.changed, `second run changed again: ${second.msg}`).to.equal(false);
    return first;
  }

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    [one, two] = await Promise.all([labContext(lab, 'vprotect1'), labContext(lab, 'vprotect2')]);
    await Promise.all([ok(one.conn, sh`mkdir -p ${scratch}`), ok(two.conn, sh`mkdir -p ${scratch}`)]);
  });
  after(async () => {
    if (!one) return;
    await Promise.allSettled([one.conn.exec(sh`rm -rf ${scratch}`), two.conn.exec(sh`rm -rf ${scratch}`)]);
  });

  it('finds the facts the modules rely on', () => {
    expect(one.facts).to.deep.include({ hostname: 'vprotect1', pkgMgr: 'apt', initSystem: 'systemd' });
  });

  describe('package (apt, the lab repository)', () => {
    let installed: string;
    before(async () => {
      installed = (await ok(two.conn, "dpkg-query -W -f='${Version}' vprotect-node")).trim();
      // Start from the version the lab ships, whatever another spec left.
      await ok(two.conn, 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades vprotect-node=1.0');
    });
    after(async () => {
      // Put back the version the lab ships, for the specs that upgrade it.
      if (installed) await two.conn.exec(sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades ${'vprotect-node=' + installed}`);
    });
    const version = async (): Promise<string> => (await ok(two.conn, "dpkg-query -W -f='${Version}' vprotect-node")).trim();

    it('present on installed packages: one dpkg-query, nothing to do', async () => {
      const r = await packageModule({ name: ['pacemaker', 'corosync', 'pcs', 'drbd-utils', 'mariadb-server'] }).run(two);
      expect(r.changed).to.equal(false);
    });

    it('latest upgrades the stand-in vprotect-node 1.0 -> 1.1, once', async () => {
      const r = await converge(two, packageModule({ name: 'vprotect-node', state: 'latest' }), version);
      expect(r).to.deep.include({ changed: true, upgraded: ['vprotect-node'] });
      expect(await version()).to.equal('1.1');
    });

    it('absent then present: remove and install in one apt-get each, once', async () => {
      await converge(two, packageModule({ name: 'vprotect-node', state: 'absent' }), () => two.conn.exec('dpkg-query -W vprotect-node').then((r) => r.stdout));
      await converge(two, packageModule({ name: ['vprotect-node', 'psmisc'] }), () => two.conn.exec('dpkg-query -W vprotect-node').then((r) => r.stdout));
      expect(await version()).to.equal('1.1');
    });

    it("an unknown package fails with apt-get's message", async () => {
      const err = await packageModule({ name: 'no-such-package-xyz' }).run(two).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ModuleError);
      expect((err as Error).message).to.include('Unable to locate package no-such-package-xyz');
    });
  });

  describe('service (units of this spec)', () => {
    const unit = `modspec-${tag}`;
    const failing = `modspec-fail-${tag}`;
    // The first where packages put theirs (a unit defined in /etc/systemd/system cannot be masked).
    const units = [`/usr/lib/systemd/system/${unit}.service`, `/etc/systemd/system/${failing}.service`];
    after(async () => {
      await one.conn.exec(sh`systemctl disable --now ${unit} ${failing}; systemctl unmask ${unit}; rm -f ${units}; systemctl daemon-reload; systemctl reset-failed`);
    });
    const state = async (): Promise<string> => (await ok(one.conn, sh`systemctl show -p ActiveState,UnitFileState -- ${unit}`)).trim();

    it('daemon-reload picks up a new unit; started+enabled, stopped+disabled, masked, each once', async () => {
      await copy({ dest: units[0]!, content: '[Unit]\nDescription=modules spec\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' }).run(one);
      const started = await converge(one, service({ name: unit, state: 'started', enabled: true, daemonReload: true }), state);
      expect(started.status).to.deep.equal({ loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' });
      expect(await state()).to.equal('ActiveState=active\nUnitFileState=enabled');
      await converge(one, service({ name: unit, state: 'stopped', enabled: false }), state);
      expect(await state()).to.equal('ActiveState=inactive\nUnitFileState=disabled');
      await converge(one, service({ name: unit, state: 'stopped', masked: true }), state);
      expect(await state()).to.equal('ActiveState=inactive\nUnitFileState=masked');
      await converge(one, service({ name: unit, masked: false }), state);
      expect(await state()).to.equal('ActiveState=inactive\nUnitFileState=disabled');
    });

    it('a unit that fails to start: the error carries its status output', async () => {
      await copy({ dest: units[1]!, content: "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo modspec-boom >&2; exit 3'\n" }).run(one);
      const err = await service({ name: failing, state: 'started', daemonReload: true }).run(one).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ModuleError);
      expect((err as Error).message).to.include(`Job for ${failing}.service failed`).and.include('modspec-boom');
    });

    it('a missing unit is named', async () => {
      const err = await service({ name: `nothing-${tag}`, state: 'started' }).run(one).catch((e: unknown) => e);
      expect((err as Error).message).to.equal(`unit nothing-${tag} not found on vprotect1: is its package installed, or the unit file in place (then daemonReload)?`);
    });
  });

  describe('user_password (a throwaway user; hacluster is left to the roles)', () => {
    const user = `mpw${tag}`;
    before(async () => {
      await ok(one.conn, sh`useradd --no-create-home --shell /usr/sbin/nologin ${user}`);
    });
    after(async () => {
      await one.conn.exec(sh`userdel ${user}`);
    });
    const hash = async (): Promise<string> => (await ok(one.conn, sh`getent shadow ${user} | cut -d: -f2`)).trim();

    it('sets (SHA-512 crypt made on the host), verifies against the current hash, and changes only when different', async () => {
      const pw = `lab-${tag}-Pass:word`;
      await converge(one, userPassword({ user, password: pw }), hash);
      expect(await hash()).to.match(/^\$6\$[A-Za-z0-9./]{16}\$/);
      await converge(one, userPassword({ user, password: `${pw}-2` }), hash);
      expect(one.logs.join('\n')).not.to.include(pw);
    });
  });

  describe('file modules over SSH on real config files', () => {
    it('copy keeps owner and mode, writes atomically, and template renders', async () => {
      const dest = `${scratch}/owned.conf`;
      await ok(one.conn, sh`install -m 0640 -o root -g adm /dev/null ${dest}`);
      const stat = async (): Promise<string> => (await ok(one.conn, sh`stat -c '%a %U %G %s' ${dest}`)).trim();
      await converge(one, copy({ dest, content: 'x=1\n' }), stat);
      expect(await stat()).to.equal('640 root adm 4');
      const tpl = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'modspec-')), 't.hbs');
      await fs.writeFile(tpl, 'node={{name}}\n');
      await converge(one, template({ src: tpl, dest, vars: { name: one.facts.hostname } }), () => ok(one.conn, sh`cat ${dest}`));
      expect(await ok(one.conn, sh`cat ${dest}`)).to.equal('node=vprotect1\n');
    });

    it("ini_file on a copy of the host's real MariaDB server config", async () => {
      const cnf = `${scratch}/50-server.cnf`;
      await ok(one.conn, sh`cp /etc/mysql/mariadb.conf.d/50-server.cnf ${cnf}`);
      const original = await ok(one.conn, sh`cat ${cnf}`);
      const read = () => ok(one.conn, sh`cat ${cnf}`);
      await converge(one, iniFile({ path: cnf, section: 'mysqld', option: 'log-bin', value: '/var/log/mysql/mysql-bin', equivalentDashes: true }), read);
      await converge(one, iniFile({ path: cnf, section: 'mysqld', option: 'server_id', value: 1, equivalentDashes: true }), read);
      const edited = await read();
      const removed = original.split('\n').filter((l) => !edited.split('\n').includes(l));
      // Debian ships `#log_bin = ...` and `#server-id = 1` commented out: those stay, as every other line.
      expect(removed).to.deep.equal([]);
      expect(edited).to.match(/\nlog-bin = \/var\/log\/mysql\/mysql-bin\n/).and.match(/\nserver_id = 1\n/);
      const r = await ok(one.conn, sh`my_print_defaults --defaults-file=${cnf} mysqld`);
      expect(r).to.include('--log-bin=/var/log/mysql/mysql-bin').and.include('--server_id=1');
    });

    it("hosts_entry on a copy of the host's /etc/hosts, and lineinfile / file", async () => {
      const hosts = `${scratch}/hosts`;
      await ok(one.conn, sh`cp /etc/hosts ${hosts} && printf '127.0.1.1\\tvprotect1\\n' >> ${hosts}`);
      const before = await ok(one.conn, sh`cat ${hosts}`);
      await converge(one, hostsEntry({ path: hosts, removeFromLoopback: [one.facts.hostname] }), () => ok(one.conn, sh`cat ${hosts}`));
      expect(await ok(one.conn, sh`cat ${hosts}`)).to.equal(before.replace('127.0.1.1\tvprotect1\n', ''));
      await converge(one, lineinfile({ path: hosts, line: '# managed by modspec' }), () => ok(one.conn, sh`cat ${hosts}`));
      await converge(one, file({ path: `${scratch}/d`, state: 'directory', mode: 0o700 }), () => one.conn.exec(sh`stat -c %a ${scratch}/d`).then((r) => r.stdout));
      expect((await ok(one.conn, sh`stat -c %a ${scratch}/d`)).trim()).to.equal('700');
    });

    it('copy_from_host moves a file vprotect1 -> vprotect2 keeping mode, once', async () => {
      const src = `${scratch}/.session.properties`;
      await ok(one.conn, sh`printf 'session=${tag}\\n' > ${src} && chmod 600 ${src}`);
      await converge(two, copyFromHost({ from: 'vprotect1', src }), () => two.conn.exec(sh`stat -c %a ${src}; cat ${src}`).then((r) => r.stdout));
      expect(await ok(two.conn, sh`stat -c %a ${src}; cat ${src}`)).to.equal(`600\nsession=${tag}\n`);
    });

    it('fetch brings a file to the controller', async () => {
      const dest = await fs.mkdtemp(path.join(os.tmpdir(), 'modspec-fetch-'));
      const r = await fetch({ src: '/etc/hostname', dest }).run(two);
      expect(await fs.readFile(r.dest, 'utf8')).to.equal('vprotect2\n');
      await fs.rm(dest, { recursive: true });
    });
  });

  describe('commands and the absent-tool cases', () => {
    it('command/shell over SSH: creates, env, cwd, stdin', async () => {
      const marker = `${scratch}/made`;
      await converge(one, command({ argv: ['touch', marker], creates: marker }), () => one.conn.exec(sh`ls ${scratch}`).then((r) => r.stdout));
      const r = await shell({ cmd: 'printf "%s %s " "$X" "$(pwd)"; cat', env: { X: 'y' }, cwd: scratch, stdin: 'in' }).run(one);
      expect(r.stdout).to.equal(`y ${scratch} in`);
    });

    it('firewalld and SELinux are absent on Debian hosts: no-ops that say so', async () => {
      expect(await firewalld({ services: ['high-availability'] }).run(one)).to.deep.include({ changed: false, running: false, msg: 'firewalld not running (not installed)' });
      expect(await selinux({ state: 'permissive', permissiveTypes: ['drbd_t'] }).run(one)).to.deep.include({ changed: false, present: false });
    });
  });
});
