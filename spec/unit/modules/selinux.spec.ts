import { expect } from 'chai';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { parsePermissive, readCommand, selinux } from '../../../modules/selinux';
import { fakeHost, moduleContext } from '../../support/module-context';
import { fakeFs, puts, renderFileStateOf } from '../../support/fake-files';
import { fixture } from '../../support/module-fixtures';

const RHEL_CONFIG = '# This file controls the state of SELinux on the system.\nSELINUX=enforcing\nSELINUXTYPE=targeted\n';

/** A RHEL-like host: getenforce's answer, /etc/selinux/config in the fake files, semanage's list. */
function selinuxHost(runtime: string | undefined, permissive: string | undefined = undefined) {
  const conn = fakeHost('vprotect1');
  const fsx = fakeFs(conn);
  const state = { runtime, permissive };
  conn.on('command -v getenforce', (cmd, _o, host) => ({
    stdout:
      `runtime=${state.runtime ?? 'absent'}\n` +
      renderFileStateOf(cmd, host.files, fsx) +
      (cmd.includes('semanage permissive -l') ? (state.permissive === undefined ? 'semanage=absent\n' : `@permissive\n${state.permissive}`) : ''),
  }));
  conn.on(/^(setenforce|semanage)/, (cmd) => {
    if (cmd.includes('setenforce 0')) state.runtime = 'Permissive';
    if (cmd.includes('setenforce 1')) state.runtime = 'Enforcing';
    for (const m of cmd.matchAll(/semanage permissive -a (\w+)/g)) state.permissive += `${m[1]}\n`;
    return {};
  });
  return { conn, state };
}

describe('selinux', () => {
  it('reads the types of `semanage permissive -l` (builtin and customized)', () => {
    expect([...parsePermissive(`@permissive\n${fixture('semanage-permissive-list.stdout')}`)!]).to.deep.equal(['sanlk_resetd_t', 'hypervkvp_t', 'drbd_t']);
  });

  it("the how-to's `setenforce 0` + SELINUX=permissive: config put, setenforce once, then a no-op", async () => {
    const { conn } = selinuxHost('Enforcing');
    conn.file('/etc/selinux/config', RHEL_CONFIG);
    const ctx = moduleContext(conn);
    const r = await selinux({ state: 'permissive' }).run(ctx);
    expect(puts(conn).map((p) => [p.path, p.content])).to.deep.equal([['/etc/selinux/config', RHEL_CONFIG.replace('SELINUX=enforcing', 'SELINUX=permissive')]]);
    expect(conn.commands).to.deep.equal([readCommand('/etc/selinux/config', false), 'setenforce 0']);
    expect(r).to.deep.include({ changed: true, runtime: 'permissive', rebootRequired: false, msg: 'set /etc/selinux/config SELINUX=permissive, runtime permissive' });
    expect(r.diffs!.map((d) => d.path)).to.deep.equal(['/etc/selinux/config', 'selinux']);
    const again = await selinux({ state: 'permissive' }).run(ctx);
    expect(again).to.deep.include({ changed: false, runtime: 'permissive' });
    expect(conn.commands).to.have.length(3);
  });

  it('makes drbd_t permissive with semanage once', async () => {
    const { conn } = selinuxHost('Enforcing', fixture('semanage-permissive-list.stdout').replace('drbd_t\n', ''));
    conn.file('/etc/selinux/config', RHEL_CONFIG);
    const ctx = moduleContext(conn);
    const r = await selinux({ permissiveTypes: ['drbd_t'] }).run(ctx);
    expect(conn.commands).to.deep.equal([readCommand('/etc/selinux/config', true), 'semanage permissive -a drbd_t']);
    expect(r.msg).to.equal('set permissive drbd_t yes');
    expect((await selinux({ permissiveTypes: ['drbd_t'] }).run(ctx)).changed).to.equal(false);
  });

  it('under --check changes neither the config nor the runtime', async () => {
    const { conn } = selinuxHost('Enforcing', '');
    conn.file('/etc/selinux/config', RHEL_CONFIG);
    const r = await selinux({ state: 'permissive', permissiveTypes: ['drbd_t'] }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, runtime: 'permissive' });
    expect(r.msg).to.match(/^would set /);
    expect(puts(conn)).to.deep.equal([]);
    expect(conn.commands).to.have.length(1);
  });

  it('asks for a reboot where setenforce cannot reach the mode', async () => {
    const disabled = selinuxHost('Disabled');
    disabled.conn.file('/etc/selinux/config', RHEL_CONFIG.replace('enforcing', 'disabled'));
    const on = await selinux({ state: 'enforcing' }).run(moduleContext(disabled.conn));
    expect(on).to.deep.include({ changed: true, rebootRequired: true, runtime: 'disabled' });
    expect(disabled.conn.commands.filter((c) => c.startsWith('setenforce'))).to.deep.equal([]);
    const enforcing = selinuxHost('Enforcing');
    enforcing.conn.file('/etc/selinux/config', RHEL_CONFIG);
    const off = await selinux({ state: 'disabled' }).run(moduleContext(enforcing.conn));
    expect(off).to.deep.include({ rebootRequired: true, runtime: 'permissive' });
    expect(off.msg).to.match(/\(reboot required\)$/);
  });

  it('is a no-op on hosts without SELinux: no getenforce, or (Debian with selinux-utils) "Disabled" and no config', async () => {
    for (const runtime of [undefined, fixture('getenforce-debian-no-selinux.stdout').trim()]) {
      const { conn } = selinuxHost(runtime);
      const r = await selinux({ state: 'permissive', permissiveTypes: ['drbd_t'] }).run(moduleContext(conn));
      expect(r).to.deep.equal({ changed: false, present: false, rebootRequired: false, msg: 'SELinux is not installed' });
      expect(conn.commands).to.have.length(1);
      expect(puts(conn)).to.deep.equal([]);
    }
  });

  it('names the package to install when semanage is missing', async () => {
    const { conn } = selinuxHost('Permissive', undefined);
    conn.file('/etc/selinux/config', RHEL_CONFIG);
    const err = await selinux({ permissiveTypes: ['drbd_t'] }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.equal('semanage is not installed on vprotect1: install policycoreutils-python-utils (RHEL 8+) or policycoreutils-python (RHEL 7)');
  });

  it('checks parameters in preflight', () => {
    expect(() => selinux({}).preflight!()).to.throw(ConfigError);
    expect(() => selinux({ permissiveTypes: ['drbd_t; reboot'] }).preflight!()).to.throw(ConfigError, /not an SELinux type/);
  });
});
