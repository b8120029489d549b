import { expect } from 'chai';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { fakeFacts } from '../../support/fake-connection';
import { packageModule } from '../../../modules/package';
import { parseAptPolicy, parseDpkgQuery } from '../../../modules/package/apt';
import { parseRpmQuery } from '../../../modules/package/rpm';
import { fakeHost, moduleContext } from '../../support/module-context';
import { fixture } from '../../support/module-fixtures';

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120';
const CONF = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

function rhel(name: string, pkgMgr: 'dnf' | 'yum') {
  const conn = fakeHost(name);
  conn.facts = fakeFacts(name, { os: { id: 'rhel', versionId: '8.9', major: 8, family: 'RedHat' }, pkgMgr });
  return conn;
}

describe('package: parsing recorded tool output', () => {
  it('dpkg-query: only "installed" counts; config-files and half-configured do not', () => {
    const m = parseDpkgQuery(fixture('dpkg-query-states.stdout'));
    expect(Object.fromEntries(m)).to.deep.equal({ pacemaker: { installed: '2.1.5-1+deb12u1' }, 'mariadb-server': {}, corosync: {} });
    expect(parseDpkgQuery(fixture('dpkg-query.stdout')).get('bash')).to.deep.equal({ installed: '5.2.15-2+b8' });
  });

  it('apt-cache policy: Installed and Candidate per package', () => {
    expect(Object.fromEntries(parseAptPolicy(fixture('apt-cache-policy.stdout')))).to.deep.equal({
      bash: { installed: '5.2.15-2+b8', candidate: '5.2.15-2+b13' },
      coreutils: { installed: '9.1-1', candidate: '9.1-1' },
    });
  });

  it('rpm --whatprovides and dnf check-update', () => {
    const q = parseRpmQuery(fixture('rpm-whatprovides.stdout') + fixture('dnf-check-update.stdout') + 'check_update_rc=100\n');
    expect(q.state.get('pcs')).to.deep.equal({ providers: [{ name: 'pcs', version: '0.10.8-1.el8.noarch' }] });
    expect(q.state.get('pcs-snmp'), 'a capability another package provides').to.deep.equal({ providers: [{ name: 'pcs', version: '0.10.8-1.el8.noarch' }] });
    expect(q.state.get('nosuch')).to.deep.equal({ providers: [] });
    expect([...q.upgradable]).to.deep.equal(['pcs']);
    expect(q.checkUpdateRc).to.equal(100);
  });
});

describe('package (fake host)', () => {
  it('apt: one dpkg-query, then one apt-get install for everything missing; second run a no-op', async () => {
    const conn = fakeHost('vprotect1').on('dpkg-query', { code: 1, stdout: fixture('dpkg-query-states.stdout'), stderr: fixture('dpkg-query-states.stderr') });
    conn.on('apt-get', {});
    const ctx = moduleContext(conn);
    const r = await packageModule({ name: ['pacemaker', 'mariadb-server', 'corosync', 'pcs'] }).run(ctx);
    expect(conn.commands).to.deep.equal([
      "LC_ALL=C dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' -- pacemaker mariadb-server corosync pcs",
      `${APT} ${CONF} install -- mariadb-server corosync pcs`,
    ]);
    expect(r).to.deep.include({ changed: true, msg: 'installed mariadb-server, corosync, pcs', installed: ['mariadb-server', 'corosync', 'pcs'] });
    expect(r.diffs![0]!.before).to.equal('mariadb-server: (absent)\ncorosync: (absent)\npcs: (absent)\n');

    const after = fakeHost('vprotect1').on('dpkg-query', { stdout: 'pacemaker\tinstall ok installed\t2.1.5\nmariadb-server\tinstall ok installed\t1:10.11\ncorosync\tinstall ok installed\t3.1.7\npcs\tinstall ok installed\t0.11.5\n' });
    const again = await packageModule({ name: ['pacemaker', 'mariadb-server', 'corosync', 'pcs'] }).run(moduleContext(after));
    expect(again.changed).to.equal(false);
    expect(after.commands).to.have.length(1);
  });

  it('apt under --check reports the list and runs no apt-get (nor apt-get update)', async () => {
    const conn = fakeHost('h').on('dpkg-query', { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching drbd-utils\n' });
    const r = await packageModule({ name: 'drbd-utils', updateCache: true }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would install drbd-utils' });
    expect(conn.commands.filter((c) => c.includes('apt-get'))).to.deep.equal([]);
  });

  it('apt absent removes only what is installed; purge on request', async () => {
    const conn = fakeHost('h').on('dpkg-query', { code: 1, stdout: fixture('dpkg-query-states.stdout') });
    conn.on('apt-get', {});
    await packageModule({ name: ['pacemaker', 'mariadb-server', 'pcs'], state: 'absent', purge: true }).run(moduleContext(conn));
    expect(conn.commands[1]).to.equal(`${APT} purge -- pacemaker`);
  });

  it('apt latest compares Installed with Candidate', async () => {
    const conn = fakeHost('h').on('apt-cache policy', { stdout: fixture('apt-cache-policy.stdout') }).on('apt-get', {});
    const r = await packageModule({ name: ['bash', 'coreutils'], state: 'latest', installRecommends: false }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal(['LC_ALL=C apt-cache policy -- bash coreutils', `${APT} ${CONF} --no-install-recommends install -- bash`]);
    expect(r.upgraded).to.deep.equal(['bash']);
  });

  it("apt-get's error reaches the operator", async () => {
    const conn = fakeHost('h').on('dpkg-query', { code: 1, stderr: 'dpkg-query: no packages found matching nosuchpkg-xyz\n' });
    conn.on('apt-get', { code: 100, stdout: 'Reading package lists...\n', stderr: fixture('apt-get-install-missing.stderr') });
    const err = await packageModule({ name: 'nosuchpkg-xyz' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as Error).message).to.match(/exited 100: E: Unable to locate package nosuchpkg-xyz$/);
  });

  it('dnf: rpm --whatprovides per name, one install for the missing ones', async () => {
    const conn = rhel('vprotect1', 'dnf').on('rpm -q', { code: 1, stdout: fixture('rpm-whatprovides.stdout') }).on('dnf -y', {});
    const r = await packageModule({ name: ['pcs', 'pcs-snmp', 'nosuch'] }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal([
      "for p in pcs pcs-snmp nosuch; do printf 'pkg=%s\\n' \"$p\"; rpm -q --whatprovides --qf 'have=%{NAME} %{VERSION}-%{RELEASE}.%{ARCH}\\n' \"$p\"; done",
      'dnf -y install -- nosuch',
    ]);
    expect(r.installed).to.deep.equal(['nosuch']);
  });

  it('dnf latest: installs the missing and upgrades what check-update lists, in one command', async () => {
    const conn = rhel('h', 'dnf')
      .on('rpm -q', { stdout: fixture('rpm-whatprovides.stdout') + fixture('dnf-check-update.stdout') + 'check_update_rc=100\n' })
      .on('dnf -y', {});
    const r = await packageModule({ name: ['pcs', 'pcs-snmp', 'nosuch'], state: 'latest' }).run(moduleContext(conn));
    expect(conn.commands[0]).to.include('LC_ALL=C dnf -q check-update -- pcs pcs-snmp nosuch; echo "check_update_rc=$?"');
    expect(conn.commands[1]).to.equal('dnf -y install -- nosuch && dnf -y upgrade -- pcs');
    expect(r).to.deep.include({ msg: 'installed nosuch; upgraded pcs' });
  });

  it('yum: same queries, yum commands; a failed install shows dnf/yum stderr', async () => {
    const conn = rhel('h', 'yum').on('rpm -q', { stdout: 'pkg=nosuch\nno package provides nosuch\n' }).on('yum -y', { code: 1, stderr: fixture('dnf-install-nosuch.stderr') });
    const err = await packageModule({ name: 'nosuch' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(conn.commands[1]).to.equal('yum -y install -- nosuch');
    expect((err as Error).message).to.equal('`yum -y install -- nosuch` exited 1: Error: Unable to find a match: nosuch');
  });

  it('fails clearly without a known package manager, and on bad names', async () => {
    const conn = fakeHost('h');
    conn.facts = fakeFacts('h', { pkgMgr: 'unknown' });
    const err = await packageModule({ name: 'x' }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('no supported package manager on h (looked for dnf, yum and apt-get)');
    expect(() => packageModule({ name: ['ok', '-rf'] }).preflight!()).to.throw(ConfigError, /is not a package name/);
    expect(() => packageModule({ name: [] }).preflight!()).to.throw(ConfigError, /empty/);
  });
});
