import { expect } from 'chai';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { fakeFacts } from '../../support/fake-connection';
import { parseShow, service } from '../../../modules/service';
import { fakeHost, moduleContext } from '../../support/module-context';
import { fixture } from '../../support/module-fixtures';

/** A fake host with one systemd unit whose state the systemctl verbs change, starting from a recorded `systemctl show`. */
function unitHost(recorded: string) {
  const conn = fakeHost('vprotect1');
  const st = parseShow(fixture(recorded));
  const unit = { load: st.loadState, active: st.activeState, file: st.unitFileState };
  conn.on(/systemctl show -p LoadState,ActiveState,UnitFileState -- /, () => ({ stdout: `LoadState=${unit.load}\nActiveState=${unit.active}\nUnitFileState=${unit.file}\n` }));
  conn.on(/^systemctl (start|stop|restart|reload|enable|disable|mask|unmask) /, (cmd) => {
    for (const part of cmd.split(' && ')) {
      const verb = part.split(' ')[1];
      if (verb === 'start' || verb === 'restart' || verb === 'reload') unit.active = 'active';
      if (verb === 'stop') unit.active = 'inactive';
      if (verb === 'enable') unit.file = 'enabled';
      if (verb === 'disable' || verb === 'unmask') unit.file = 'disabled';
      if (verb === 'unmask') unit.load = 'loaded';
      if (verb === 'mask') [unit.file, unit.load] = ['masked', 'masked'];
    }
    return {};
  });
  return { conn, unit };
}

const changing = (cmds: string[]): string[] => cmds.filter((c) => !c.includes('systemctl show'));

describe('service: parsing recorded systemctl show', () => {
  it('reads the three properties whatever their order', () => {
    expect(parseShow(fixture('systemctl-show-ssh-running-enabled.stdout'))).to.deep.equal({ loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' });
    expect(parseShow(fixture('systemctl-show-not-found.stdout'))).to.deep.equal({ loadState: 'not-found', activeState: 'inactive', unitFileState: '' });
    expect(parseShow('UnitFileState=masked\nActiveState=inactive\nLoadState=masked\n').loadState).to.equal('masked');
  });
});

describe('service (fake host, recorded states)', () => {
  it('a running, enabled unit needs nothing: one systemctl show', async () => {
    const { conn } = unitHost('systemctl-show-ssh-running-enabled.stdout');
    const r = await service({ name: 'ssh', state: 'started', enabled: true }).run(moduleContext(conn));
    expect(r).to.deep.include({ changed: false, msg: 'ssh is active, enabled' });
    expect(conn.commands).to.deep.equal(['systemctl show -p LoadState,ActiveState,UnitFileState -- ssh']);
  });

  it('enables and starts in one command, reports the settings diff, then is a no-op', async () => {
    const { conn } = unitHost('systemctl-show-mariadb-inactive-disabled.stdout');
    const ctx = moduleContext(conn);
    const r = await service({ name: 'mariadb', state: 'started', enabled: true }).run(ctx);
    expect(changing(conn.commands)).to.deep.equal(['systemctl enable -- mariadb && systemctl start -- mariadb']);
    expect(r.diffs).to.deep.equal([{ path: 'service mariadb', before: 'ActiveState: inactive\nUnitFileState: disabled\n', after: 'ActiveState: active\nUnitFileState: enabled\n' }]);
    expect(r.msg).to.equal('mariadb: ActiveState: inactive -> active, UnitFileState: disabled -> enabled');
    expect(r.status).to.deep.equal({ loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' });
    expect((await service({ name: 'mariadb', state: 'started', enabled: true }).run(ctx)).changed).to.equal(false);
    expect(changing(conn.commands)).to.have.length(1);
  });

  it('under --check reports and issues no changing command (and no daemon-reload)', async () => {
    const { conn } = unitHost('systemctl-show-mariadb-inactive-disabled.stdout');
    const r = await service({ name: 'mariadb', state: 'started', enabled: true, daemonReload: true }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would enable, start mariadb' });
    expect(conn.commands).to.deep.equal(['systemctl show -p LoadState,ActiveState,UnitFileState -- mariadb']);
  });

  it('daemon-reload shares the round trip with the state read', async () => {
    const { conn } = unitHost('systemctl-show-ssh-running-enabled.stdout');
    conn.on(/^systemctl daemon-reload && /, () => ({ stdout: fixture('systemctl-show-ssh-running-enabled.stdout') }));
    const r = await service({ name: 'ssh', daemonReload: true }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal(['systemctl daemon-reload && systemctl show -p LoadState,ActiveState,UnitFileState -- ssh']);
    expect(r.changed).to.equal(false);
  });

  it("the how-to's `systemctl mask firewalld; systemctl stop firewalld`: stop first, then mask, once", async () => {
    const { conn } = unitHost('systemctl-show-ssh-running-enabled.stdout');
    const ctx = moduleContext(conn);
    await service({ name: 'firewalld', state: 'stopped', masked: true }).run(ctx);
    expect(changing(conn.commands)).to.deep.equal(['systemctl stop -- firewalld && systemctl mask -- firewalld']);
    expect((await service({ name: 'firewalld', state: 'stopped', masked: true }).run(ctx)).changed).to.equal(false);
  });

  it('a masked unit: starting it is refused with the fix; masked: false unmasks first', async () => {
    const { conn } = unitHost('systemctl-show-masked.stdout');
    const ctx = moduleContext(conn);
    const err = await service({ name: 'console-getty', state: 'started' }).run(ctx).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('unit console-getty on vprotect1 is masked; set masked: false to start it');
    await service({ name: 'console-getty', state: 'started', enabled: true, masked: false }).run(ctx);
    expect(changing(conn.commands)).to.deep.equal(['systemctl unmask -- console-getty && systemctl enable -- console-getty && systemctl start -- console-getty']);
  });

  it('a missing unit fails naming it; masking a missing unit is allowed', async () => {
    const { conn } = unitHost('systemctl-show-not-found.stdout');
    const err = await service({ name: 'vprotect-server', state: 'started' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.equal('unit vprotect-server not found on vprotect1: is its package installed, or the unit file in place (then daemonReload)?');
    await service({ name: 'vprotect-server', masked: true }).run(moduleContext(conn));
    expect(changing(conn.commands)).to.deep.equal(['systemctl mask -- vprotect-server']);
  });

  it('static units count as enabled and cannot be disabled', async () => {
    const { conn } = unitHost('systemctl-show-static.stdout');
    expect((await service({ name: 'systemd-journald', enabled: true }).run(moduleContext(conn))).changed).to.equal(false);
    const err = await service({ name: 'systemd-journald', enabled: false }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/is static \(no \[Install\] section\): it cannot be disabled; use masked: true/);
  });

  it('restarted always restarts; reloaded starts a stopped unit', async () => {
    const { conn } = unitHost('systemctl-show-ssh-running-enabled.stdout');
    expect((await service({ name: 'ssh', state: 'restarted' }).run(moduleContext(conn))).changed).to.equal(true);
    const stopped = unitHost('systemctl-show-mariadb-inactive-disabled.stdout').conn;
    await service({ name: 'mariadb', state: 'reloaded' }).run(moduleContext(stopped));
    expect(changing(conn.commands)).to.deep.equal(['systemctl restart -- ssh']);
    expect(changing(stopped.commands)).to.deep.equal(['systemctl start -- mariadb']);
  });

  it('a failed start carries systemctl status in the message', async () => {
    const { conn } = unitHost('systemctl-show-mariadb-inactive-disabled.stdout');
    conn.on(/^systemctl start /, { code: 1, stderr: 'Job for mariadb.service failed because the control process exited with error code.\nSee "systemctl status mariadb.service" and "journalctl -xeu mariadb.service" for details.\n' });
    conn.on(/^systemctl status /, { code: 3, stdout: '× mariadb.service - MariaDB 10.11.6 database server\n     Active: failed (Result: exit-code)\nmariadbd[812]: [ERROR] Can\'t open /var/log/mysql/mysql-bin.index\n' });
    const err = await service({ name: 'mariadb', state: 'started' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.include('exited 1: Job for mariadb.service failed').and.include("Can't open /var/log/mysql/mysql-bin.index");
    expect((err as ModuleError).detail?.rc).to.equal(1);
  });

  it('needs systemd, and rejects contradictions before touching a host', async () => {
    const conn = fakeHost('h');
    conn.facts = fakeFacts('h', { initSystem: 'other' });
    const err = await service({ name: 'x', state: 'started' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('service x: h does not run systemd');
    expect(() => service({ name: 'x', masked: true, state: 'started' }).preflight!()).to.throw(ConfigError, /masked unit cannot be enabled or started/);
    expect(() => service({ name: 'x' }).preflight!()).to.throw(ConfigError, /give state, enabled, masked or daemonReload/);
    expect(() => service({ name: '-x', state: 'started' }).preflight!()).to.throw(ConfigError);
  });
});
