import { expect } from 'chai';
import { loadInventory } from '../../../engine/inventory/load';
import type { Inventory } from '../../../engine/inventory/types';
import type { HostName } from '../../../engine/types';

const DIR = 'spec/fixtures/inventory/ini';
const at = (line: number): string => `${DIR}/hosts:${line}`;

describe('inventory: Ansible INI', () => {
  let inv: Inventory;
  const vars = (host: string) => inv.hosts.get(host as HostName)?.vars ?? {};
  before(async () => {
    inv = await loadInventory(DIR);
  });

  it('finds hosts in inventory order, ranges expanded, a host in several groups once', () => {
    expect([...inv.hosts.keys()]).to.deep.equal(['bastion', 'vprotect1', 'vprotect2', 'web01', 'web02', 'web03']);
    expect(inv.source).to.equal(DIR);
  });

  it("builds groups through children to any depth, with 'all' and 'ungrouped'", () => {
    expect(Object.fromEntries(inv.groups)).to.deep.equal({
      all: ['bastion', 'vprotect1', 'vprotect2', 'web01', 'web02', 'web03'],
      ungrouped: ['bastion'],
      cluster: ['vprotect1', 'vprotect2'],
      db: ['vprotect1', 'vprotect2'],
      web: ['web01', 'web02', 'web03'],
      dc: ['vprotect1', 'vprotect2', 'web01', 'web02', 'web03'],
      site: ['vprotect1', 'vprotect2', 'web01', 'web02', 'web03'],
    });
  });

  it('lists a host\'s groups, all first, by depth then name', () => {
    expect(inv.hosts.get('vprotect1' as HostName)?.groups).to.deep.equal(['all', 'db', 'site', 'dc', 'cluster']);
    expect(inv.hosts.get('bastion' as HostName)?.groups).to.deep.equal(['all', 'ungrouped']);
  });

  it('types values as Python literals, like Ansible: true stays a string, False is a boolean', () => {
    expect(vars('web02')).to.include({ ansible_port: 2222, enabled: 'true', ratio: 0.5, label: '007', quoted: '42' });
    expect(vars('vprotect2')).to.include({ note: 'two words', drbd_port: 7789, debug: false, vip: '10.40.1.100' });
    expect(vars('vprotect1').motd).to.equal('welcome # not a comment');
  });

  it('ranks group vars all < parent < child (depth, then name) < host line < host_vars', () => {
    expect(vars('vprotect1').level).to.equal('cluster'); // cluster (depth 3) beats dc, site, db, all
    expect(vars('web01').level).to.equal('site'); // web sets none; site (depth 1) beats all
    expect(vars('bastion').level).to.equal('all');
    expect(vars('vprotect1').tier).to.equal('site'); // db and site both depth 1: the later name wins
    expect(vars('vprotect2').tier).to.equal('cluster'); // the host line beats every group
    expect(vars('vprotect1').node_id).to.equal(11); // host_vars/ beats the host line
    expect(vars('vprotect2').node_id).to.equal(2);
  });

  it("ranks group_vars/ files above the inventory file's group vars, as Ansible does", () => {
    expect(vars('vprotect1').ntp).to.equal('time.example.com');
    expect(vars('vprotect1').banner).to.equal('file-all'); // group_vars/all.yml over [cluster:vars]
  });

  it('merges a group_vars directory in file-name order, skipping hidden and non-vars files', () => {
    expect(vars('vprotect2').pcs_cluster_name).to.equal('vpcluster');
    expect(vars('vprotect2').replication).to.deep.equal({ user: 'replicator' });
    expect(vars('web01')).not.to.have.property('pcs_cluster_name');
  });

  it('tells where each winning value was set (file:line)', () => {
    const h = (name: string) => name as HostName;
    expect(inv.origin(h('vprotect1'), 'ansible_host')).to.equal(at(6));
    expect(inv.origin(h('vprotect1'), 'level')).to.equal(at(18));
    expect(inv.origin(h('vprotect1'), 'node_id')).to.equal(`${DIR}/host_vars/vprotect1.yml:2`);
    expect(inv.origin(h('vprotect1'), 'pcs_cluster_name')).to.equal(`${DIR}/group_vars/cluster/20-override.yaml:2`);
    expect(inv.origin(h('vprotect1'), 'replication')).to.equal(`${DIR}/group_vars/cluster/10-base.yml:2`);
    expect(inv.origin(h('web03'), 'ansible_port')).to.equal(at(13));
    expect(inv.origin(h('web03'), 'nothing_here')).to.equal(undefined);
  });

  it('checks host names', () => {
    expect(inv.host('vprotect2')).to.equal('vprotect2');
    expect(() => inv.host('vprotect3')).to.throw(
      `no host named 'vprotect3' in ${DIR} (hosts: bastion, vprotect1, vprotect2, web01, web02, web03)`,
    );
  });

  it('has no secrets when none came from a vault or the environment', () => {
    expect([...inv.secrets]).to.deep.equal([]);
  });

  it('loads a single INI file given as -i FILE, with group_vars beside it', async () => {
    const file = await loadInventory(`${DIR}/hosts`);
    expect(file.source).to.equal(`${DIR}/hosts`);
    expect(file.hosts.get('vprotect1' as HostName)?.vars.node_id).to.equal(11);
  });

  it('reads inventory/prod: the seed\'s two servers', async () => {
    // Its group_vars reference secrets with !env: give every name a value.
    const anyEnv = new Proxy<NodeJS.ProcessEnv>({}, { get: (_t, name) => (typeof name === 'string' ? `value-of-${name}` : undefined) });
    const prod = await loadInventory('inventory/prod', { env: anyEnv });
    expect(prod.select('cluster')).to.deep.equal(['vprotect1', 'vprotect2']);
    expect(prod.hosts.get('vprotect1' as HostName)?.vars.ansible_host).to.equal('10.40.1.50');
    expect(prod.hosts.get('vprotect2' as HostName)?.vars.ansible_host).to.equal('10.40.1.52');
  });
});
