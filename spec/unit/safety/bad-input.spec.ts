// Bad input stops the real site playbook before any host is touched, with one `ERROR:` line naming
// the file and line or the variable (issue 7, "Bad input"); an unknown tag only warns, as in Ansible.
import { expect } from 'chai';
import YAML from 'yaml';
import { site } from '../../../playbooks/site';
import { play, playbook, task } from '../../../engine/dsl';
import { FakeConnection } from '../../support/fake-connection';
import type { HostName } from '../../../engine/types';
import { template } from '../../../modules/template';
import { sh } from '../../../engine/shell';
import { mark } from '../../support/fake-run';
import { opCount, removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir, type CliRun } from '../../support/cli-harness';

/** A site inventory with group_vars/all.yml changed by `vars` (undefined removes a key). */
function siteInventory(vars: Record<string, unknown> = {}, files: Record<string, string> = {}): string {
  const all: Record<string, unknown> = { ...SITE_GROUP_VARS, ...vars };
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete all[k];
  return tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(all), ...files });
}

/** The line of `key:` in a YAML text (1-based), as the messages cite it. */
function lineOf(text: string, key: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(`${key}:`)) + 1;
}

/** Exit 1, nothing touched, and stderr is exactly `message` (one ERROR line, continuation lines indented). */
function expectStopped(run: CliRun, message: string): void {
  expect(run.err.join('\n')).to.equal(`ERROR: ${message}`);
  expect(run.code).to.equal(1);
  expect(run.hosts.size, 'hosts opened').to.equal(0);
  expect(opCount(run)).to.equal(0);
  expect(run.out.join('\n')).not.to.contain('TASK [');
}

describe('safety: bad input stops the site playbook before any host is touched', () => {
  afterEach(removeTempDirs);

  it('a malformed INI inventory: file and line', async () => {
    const dir = tempDir({ hosts: '[cluster]\nvprotect1 ansible_host=198.18.0.11\n[cluster:vars\ncluster_vip=198.18.0.100\n' });
    expectStopped(await runMain(site, ['-i', dir]), `${dir}/hosts:3: malformed section header '[cluster:vars'`);
  });

  it('a malformed YAML inventory: file and line', async () => {
    const dir = tempDir({ 'hosts.yml': 'all:\n  children:\n    cluster:\n      hosts:\n        vprotect1: {ansible_host: 198.18.0.11\n' });
    const run = await runMain(site, ['-i', dir]);
    expect(run.err.join('\n')).to.match(new RegExp(`^ERROR: ${dir}/hosts\\.yml:[56]: `));
    expectStopped(run, run.err.join('\n').slice('ERROR: '.length));
  });

  it('malformed YAML in group_vars: file and line', async () => {
    const dir = siteInventory({}, { 'group_vars/cluster.yml': 'cluster_vip: [198.18.0.100\n' });
    const run = await runMain(site, ['-i', dir]);
    expect(run.err.join('\n')).to.match(new RegExp(`^ERROR: ${dir}/group_vars/cluster\\.yml:2: `));
    expectStopped(run, run.err.join('\n').slice('ERROR: '.length));
  });

  it('an unknown group in a --limit pattern, alone or inside a:&b / a:!b', async () => {
    const dir = siteInventory();
    for (const pattern of ['clustr', 'cluster:&dbservers', 'cluster:!dbservers']) {
      const unknown = pattern.split(/:[&!]?/).find((t) => t !== 'cluster')!;
      expectStopped(
        await runMain(site, ['-i', dir, '--limit', pattern]),
        `no host or group named '${unknown}' in ${dir} (groups: all, cluster, ungrouped)`,
      );
    }
  });

  it('a duplicate host with conflicting addresses: both places named', async () => {
    const hosts = '[cluster]\nvprotect1 ansible_host=198.18.0.11\nvprotect2 ansible_host=198.18.0.12\n[db]\nvprotect1 ansible_host=198.18.0.21\n';
    const dir = tempDir({ hosts, 'group_vars/all.yml': YAML.stringify(SITE_GROUP_VARS) });
    expectStopped(
      await runMain(site, ['-i', dir]),
      `${dir}/hosts:5: host 'vprotect1' has conflicting addresses: '198.18.0.11' at ${dir}/hosts:2 and '198.18.0.21' at ${dir}/hosts:5`,
    );
  });

  it('an invalid IP as a host address: file and line', async () => {
    const dir = tempDir({ hosts: '[cluster]\nvprotect1 ansible_host=198.18.0.11\nvprotect2 ansible_host=198.18.0.312\n' });
    expectStopped(await runMain(site, ['-i', dir]), `${dir}/hosts:3: ansible_host '198.18.0.312' is not an IPv4 address`);
  });

  it('wrong-typed role variables: cluster_vip 10.40.1.300 and cluster_vip_cidr_netmask "x", each with where it was set', async () => {
    const dir = siteInventory({ cluster_vip: '10.40.1.300', cluster_vip_cidr_netmask: 'x' });
    const text = YAML.stringify({ ...SITE_GROUP_VARS, cluster_vip: '10.40.1.300', cluster_vip_cidr_netmask: 'x' });
    const at = (k: string): string => `${dir}/group_vars/all.yml:${lineOf(text, k)}`;
    const lines = ['vprotect1', 'vprotect2'].flatMap((h) => [
      `roles adoption_checks, pacemaker, host ${h}: variable 'cluster_vip': '10.40.1.300' is not an IPv4 address (set at ${at('cluster_vip')})`,
      `roles adoption_checks, pacemaker, host ${h}: variable 'cluster_vip_cidr_netmask': Invalid input: expected number, received string (set at ${at('cluster_vip_cidr_netmask')})`,
    ]);
    expectStopped(await runMain(site, ['-i', dir]), `invalid role variables in ${dir}:\n  ${lines.join('\n  ')}`);
  });

  it('an invalid IP in a role variable set with -e: the variable is named', async () => {
    const dir = siteInventory();
    const run = await runMain(site, ['-i', dir, '-e', 'ping_gateway=198.18.0.256']);
    const problem = "variable 'ping_gateway': '198.18.0.256' is not an IPv4 address";
    expectStopped(run, `invalid role variables in ${dir}:\n  ${['vprotect1', 'vprotect2'].map((h) => `roles adoption_checks, pacemaker, host ${h}: ${problem} (set at -e)`).join('\n  ')}`);
  });

  it('a missing role variable (a secret): what to do about it', async () => {
    const dir = siteInventory({ mariadb_replicator_password: undefined });
    const why = 'mariadb_replicator_password is required (put it in a vault file or reference an environment variable with !env) (set it in group_vars/ or host_vars/ of the inventory, or with -e)';
    expectStopped(
      await runMain(site, ['-i', dir]),
      `invalid role variables in ${dir}:\n  ${['vprotect1', 'vprotect2'].map((h) => `roles adoption_checks, mariadb_master_master, host ${h}: variable 'mariadb_replicator_password': ${why}`).join('\n  ')}`,
    );
  });

  it('a missing role variable (not a secret): "is required" with its type, not a parser message', async () => {
    const dir = siteInventory({ cluster_vip: undefined });
    const why = 'is required (string) (set it in group_vars/ or host_vars/ of the inventory, or with -e)';
    expectStopped(
      await runMain(site, ['-i', dir]),
      `invalid role variables in ${dir}:\n  ${['vprotect1', 'vprotect2'].map((h) => `roles adoption_checks, pacemaker, host ${h}: variable 'cluster_vip': ${why}`).join('\n  ')}`,
    );
  });

  describe('a template referencing an undefined variable', () => {
    const renderWith = (src: string) =>
      playbook('tpl', [
        play({
          name: 'render',
          hosts: 'cluster',
          // The template gets the host's inventory variables as they are: a missing one must stop the run.
          tasks: [task({ name: 'render', action: (h) => template({ src, dest: '/etc/rendered.conf', vars: h.vars }) })],
        }),
      ]);

    it('a plain {{variable}}: file, line and variable', async () => {
      const dir = tempDir({
        'hosts.yml': SITE_HOSTS_YML,
        'group_vars/all.yml':
          'server_id: 1\nlog_bin: vprotect1-bin\nrelay_log: vprotect1-relay-bin\nbinlog_format: ROW\nreplicate_do_db: vprotect\n' +
          'auto_increment_increment: 2\nauto_increment_offset: 1\nport: 3306\n',
      });
      expectStopped(
        await runMain(renderWith('mariadb-replication.cnf'), ['-i', dir]),
        'template templates/mariadb-replication.cnf.hbs: line 13: variable "bind_address" is not defined in the vars given to the template',
      );
    });

    it('a block helper parameter ({{#if drbd9}}), which Handlebars strict mode lets pass', async () => {
      const dir = tempDir({
        'hosts.yml': SITE_HOSTS_YML,
        'group_vars/all.yml': 'resource: r0\ndevice: /dev/drbd0\ndisk: /dev/sdb\nport: 7788\nnodes: [{hostname: vprotect1, address: 198.18.0.11}]\n',
      });
      expectStopped(
        await runMain(renderWith('drbd-resource'), ['-i', dir]),
        'template templates/drbd-resource.hbs: line 6: variable "drbd9" is not defined in the vars given to the template',
      );
    });

    it('an {{#each}} list and a field of its items', async () => {
      const base = 'resource: r0\ndrbd9: true\ndevice: /dev/drbd0\ndisk: /dev/sdb\nport: 7788\n';
      const noList = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': base });
      expectStopped(
        await runMain(renderWith('drbd-resource'), ['-i', noList]),
        'template templates/drbd-resource.hbs: line 33: variable "nodes" is not defined in the vars given to the template',
      );
      const noField = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': `${base}nodes: [{hostname: vprotect1}]\n` });
      expectStopped(
        await runMain(renderWith('drbd-resource'), ['-i', noField]),
        'template templates/drbd-resource.hbs: line 40: variable "this.address" is not defined in the vars given to the template ("address" is missing)',
      );
    });
  });

  describe('an unknown tag', () => {
    const pb = playbook('tags', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [task({ name: 'common step', tags: ['common'], action: mark({ id: 'common-step' }) }), task({ name: 'db step', tags: ['mariadb'], action: mark({ id: 'db-step' }) })],
      }),
    ]);
    const answering = (e: { name: string }): FakeConnection => new FakeConnection(e.name as HostName).on(/^: /, {});

    it('warns as Ansible does and the run goes on with the tags it knows', async () => {
      const dir = siteInventory();
      const run = await runMain(pb, ['-i', dir, '--tags', 'common,comon'], { host: answering });
      expect(run.code).to.equal(0);
      expect(run.err).to.deep.equal([]);
      expect(run.out).to.include("[WARNING]: tag 'comon' is not used by any task of this playbook");
      for (const h of ['vprotect1', 'vprotect2']) expect(run.hosts.get(h)!.commands).to.deep.equal([sh`: ${'common-step'}`]);
    });

    it('--skip-tags with an unknown tag warns too; the site playbook with only unknown tags runs nothing', async () => {
      const dir = siteInventory();
      const skip = await runMain(pb, ['-i', dir, '--skip-tags', 'nosuch'], { host: answering });
      expect(skip.code).to.equal(0);
      expect(skip.out).to.include("[WARNING]: tag 'nosuch' is not used by any task of this playbook");
      expect(skip.hosts.get('vprotect1')!.commands).to.have.length(2);
      const none = await runMain(site, ['-i', dir, '--tags', 'mariadbb']);
      expect(none.code).to.equal(0);
      expect(none.out).to.include("[WARNING]: tag 'mariadbb' is not used by any task of this playbook");
      expect(opCount(none)).to.equal(0);
    });
  });
});
