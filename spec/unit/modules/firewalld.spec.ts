import { expect } from 'chai';
import { parse } from 'shell-quote';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { firewalld, parseListAll, readCommand } from '../../../modules/firewalld';
import { fakeHost, moduleContext } from '../../support/module-context';
import { fixture } from '../../support/module-fixtures';
import { LocalConnection } from '../../../engine/connection/local';
import type { HostName } from '../../../engine/types';

const listing = (runtime: string, permanent: string): string => `fw=running\n@runtime\n${runtime}@permanent\n${permanent}`;

/** A host whose zone listing follows the add/remove flags firewall-cmd is given. */
function firewallHost(runtime: string, permanent: string) {
  const zones = { runtime: parseListAll(listing(runtime, permanent)).runtime, permanent: parseListAll(listing(runtime, permanent)).permanent };
  const render = (z: { services: Set<string>; ports: Set<string> }): string => `  services: ${[...z.services].join(' ')}\n  ports: ${[...z.ports].join(' ')}\n`;
  const conn = fakeHost('vprotect1');
  conn.on('command -v firewall-cmd', () => ({ stdout: listing(render(zones.runtime), render(zones.permanent)) }));
  conn.on(/^firewall-cmd /, (cmd) => {
    for (const part of cmd.split(' && ')) {
      // The words as /bin/sh would see them (unescaped).
      const words = parse(part).filter((w): w is string => typeof w === 'string');
      const z = words.includes('--permanent') ? zones.permanent : zones.runtime;
      for (const m of words.join(' ').matchAll(/--(add|remove)-(service|port)=(\S+)/g)) {
        const set = m[2] === 'service' ? z.services : z.ports;
        if (m[1] === 'add') set.add(m[3]!);
        else set.delete(m[3]!);
      }
    }
    return { stdout: 'success\n' };
  });
  return conn;
}

describe('firewalld', () => {
  it('parses services and ports of runtime and permanent --list-all (not source-ports or forward-ports)', () => {
    const r = parseListAll(listing(fixture('firewall-cmd-list-all-runtime.stdout'), fixture('firewall-cmd-list-all-permanent.stdout')));
    expect([...r.runtime.services]).to.deep.equal(['cockpit', 'dhcpv6-client', 'ssh']);
    expect([...r.runtime.ports]).to.deep.equal(['3306/tcp']);
    expect([...r.permanent.services]).to.deep.equal(['cockpit', 'dhcpv6-client', 'high-availability', 'ssh']);
    expect([...r.permanent.ports]).to.deep.equal(['3306/tcp', '7788/tcp']);
  });

  it('opens what is missing at runtime only when the permanent config has it; then a no-op', async () => {
    const conn = firewallHost(fixture('firewall-cmd-list-all-runtime.stdout'), fixture('firewall-cmd-list-all-permanent.stdout'));
    const ctx = moduleContext(conn);
    const action = firewalld({ services: ['high-availability'], ports: ['7788/tcp', '3306/tcp'] });
    const r = await action.run(ctx);
    // shell-quote escapes '=' (`--add-port\\=7788/tcp`): the same word to /bin/sh.
    expect(conn.commands).to.deep.equal([readCommand(undefined), 'firewall-cmd --add-service\\=high-availability --add-port\\=7788/tcp']);
    expect(r).to.deep.include({ changed: true, running: true, msg: 'opened high-availability, 7788/tcp' });
    expect(r.diffs![0]!.after).to.equal('runtime service=high-availability: open\nruntime port=7788/tcp: open\n');
    expect((await action.run(ctx)).changed).to.equal(false);
    expect(conn.commands).to.have.length(3);
  });

  it('sets both permanent and runtime (no --reload), in a zone, and closes ports', async () => {
    const conn = firewallHost('  services: ssh\n  ports: \n', '  services: ssh\n  ports: \n');
    const ctx = moduleContext(conn);
    await firewalld({ ports: ['2224/tcp', '5405/udp'], zone: 'internal' }).run(ctx);
    await firewalld({ ports: ['5405/udp'], zone: 'internal', state: 'disabled' }).run(ctx);
    expect(conn.commands.slice(1)).to.deep.equal([
      'firewall-cmd --permanent --zone\\=internal --add-port\\=2224/tcp --add-port\\=5405/udp && firewall-cmd --zone\\=internal --add-port\\=2224/tcp --add-port\\=5405/udp',
      readCommand('internal'),
      'firewall-cmd --permanent --zone\\=internal --remove-port\\=5405/udp && firewall-cmd --zone\\=internal --remove-port\\=5405/udp',
    ]);
    expect(readCommand('internal')).to.include('firewall-cmd --permanent --zone=internal --list-all');
  });

  it('under --check issues no firewall-cmd change', async () => {
    const conn = firewallHost('  services: \n  ports: \n', '  services: \n  ports: \n');
    const r = await firewalld({ services: ['high-availability'] }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would open high-availability' });
    expect(conn.commands).to.deep.equal([readCommand(undefined)]);
  });

  it('is a no-op with a message when firewalld is absent, stopped or masked', async () => {
    const absent = fakeHost('h').on('command -v firewall-cmd', { stdout: 'fw=absent\n' });
    expect(await firewalld({ services: ['high-availability'] }).run(moduleContext(absent))).to.deep.include({ changed: false, running: false, msg: 'firewalld not running (not installed)' });
    const masked = fakeHost('h').on('command -v firewall-cmd', { stdout: 'fw=stopped 252\nenabled=masked\n' });
    expect((await firewalld({ ports: ['7788/tcp'] }).run(moduleContext(masked))).msg).to.equal('firewalld not running (masked)');
    const enabled = fakeHost('h').on('command -v firewall-cmd', { stdout: 'fw=stopped 252\nenabled=enabled\n' });
    expect((await firewalld({ ports: ['7788/tcp'] }).run(moduleContext(enabled))).msg).to.equal('firewalld not running (but enabled: it will start at boot without these rules)');
    expect(absent.commands.concat(masked.commands, enabled.commands).every((c) => c.startsWith('command -v firewall-cmd'))).to.equal(true);
  });

  it('the probe script answers absent and stopped before listing (real /bin/sh, no firewall-cmd here)', async () => {
    const local = new LocalConnection('localhost' as HostName);
    const r = await local.exec(readCommand(undefined), { env: { PATH: '/nonexistent' } });
    expect(r).to.deep.include({ code: 0, stdout: 'fw=absent\n' });
  });

  it('fails on a firewalld that is running but failed, and on unknown services', async () => {
    const failed = fakeHost('h').on('command -v firewall-cmd', { stdout: 'fw=stopped 251\nenabled=enabled\n' });
    const e1 = await firewalld({ services: ['x'] }).run(moduleContext(failed)).catch((e: unknown) => e);
    expect((e1 as Error).message).to.equal('firewalld on h is running but failed to load its configuration: see `journalctl -u firewalld`');
    const bad = fakeHost('h').on('command -v firewall-cmd', { stdout: listing('  services: \n  ports: \n', '  services: \n  ports: \n') });
    bad.on(/^firewall-cmd /, { code: 101, stderr: "Error: INVALID_SERVICE: 'high-availabilty' not among existing services\n" });
    const e2 = await firewalld({ services: ['high-availabilty'] }).run(moduleContext(bad)).catch((e: unknown) => e);
    expect(e2).to.be.instanceOf(ModuleError);
    expect((e2 as Error).message).to.match(/exited 101: Error: INVALID_SERVICE: 'high-availabilty' not among existing services$/);
  });

  it('checks names and port syntax in preflight', () => {
    expect(() => firewalld({ ports: ['7788'] }).preflight!()).to.throw(ConfigError, /must look like 7788\/tcp/);
    expect(() => firewalld({ services: ['a b'] }).preflight!()).to.throw(ConfigError, /not a service name/);
    expect(() => firewalld({}).preflight!()).to.throw(ConfigError, /give services and\/or ports/);
  });
});
