import { expect } from 'chai';
import { loadInventory } from '../../../engine/inventory/load';
import type { Inventory } from '../../../engine/inventory/types';
import type { HostName } from '../../../engine/types';
import { configError, removeTempTrees, tempTree } from './temp-tree';

const DIR = 'spec/fixtures/inventory/yaml';
const ENV = { VPHA_TEST_HACLUSTER: 'hacluster-secret', VPHA_TEST_DB_ROOT: 'db-root-secret' };

describe('inventory: Ansible YAML', () => {
  let inv: Inventory;
  const vars = (host: string) => inv.hosts.get(host as HostName)?.vars ?? {};
  before(async () => {
    inv = await loadInventory(DIR, { env: ENV });
  });
  after(removeTempTrees);

  it('reads all/children/hosts/vars nesting, ranges and ungrouped hosts', () => {
    expect([...inv.hosts.keys()]).to.deep.equal(['bastion', 'vprotect1', 'vprotect2', 'replicaa', 'replicab']);
    expect(Object.fromEntries(inv.groups)).to.deep.equal({
      all: ['bastion', 'vprotect1', 'vprotect2', 'replicaa', 'replicab'],
      ungrouped: ['bastion'],
      cluster: ['vprotect1', 'vprotect2'],
      db: ['vprotect1', 'replicaa', 'replicab'],
      replicas: ['replicaa', 'replicab'],
    });
  });

  it('keeps YAML types (YAML 1.1 like Ansible: yes is true) and group precedence', () => {
    expect(vars('vprotect2')).to.include({ ansible_port: 2222, level: 'cluster' });
    expect(vars('replicab')).to.include({ enabled: true, level: 'all' });
  });

  it('records the line of each key as its origin', () => {
    expect(inv.origin('vprotect2' as HostName, 'ansible_port')).to.equal(`${DIR}/hosts.yml:16`);
    expect(inv.origin('vprotect1' as HostName, 'level')).to.equal(`${DIR}/hosts.yml:10`);
    expect(inv.origin('replicaa' as HostName, 'enabled')).to.equal(`${DIR}/hosts.yml:23`);
  });

  it('reads !env references from the environment and keeps their values as secrets', () => {
    expect(vars('vprotect1').hacluster_password).to.equal('hacluster-secret');
    expect(vars('vprotect1').mariadb).to.deep.equal({ root_password: 'db-root-secret', port: 3306 });
    expect([...inv.secrets].sort()).to.deep.equal(['db-root-secret', 'hacluster-secret']);
    expect(inv.origin('bastion' as HostName, 'hacluster_password')).to.equal(`${DIR}/group_vars/all.yml:1`);
  });

  it('stops on a missing !env variable, naming the variable, file:line and the environment name', async () => {
    const message = await configError(() => loadInventory(DIR, { env: { VPHA_TEST_HACLUSTER: 'x' } }));
    expect(message).to.equal(
      `${DIR}/group_vars/all.yml:3: root_password: environment variable VPHA_TEST_DB_ROOT is not set (!env VPHA_TEST_DB_ROOT)`,
    );
  });

  it('loads a hosts.yaml file given directly, and an empty YAML inventory as no hosts', async () => {
    const dir = tempTree({ 'hosts.yaml': 'web:\n  hosts:\n    w1:\n', 'empty.yml': '' });
    const single = await loadInventory(`${dir}/hosts.yaml`);
    expect(single.select('web')).to.deep.equal(['w1']);
    expect(single.hosts.get('w1' as HostName)?.groups).to.deep.equal(['all', 'web']);
    const empty = await loadInventory(`${dir}/empty.yml`);
    expect([...empty.hosts.keys()]).to.deep.equal([]);
    expect([...empty.groups.keys()]).to.deep.equal(['all', 'ungrouped']);
  });
});

describe('inventory: TypeScript module', () => {
  const DIR_TS = 'spec/fixtures/inventory/ts';
  let inv: Inventory;
  before(async () => {
    inv = await loadInventory(DIR_TS);
  });

  it('reads defineInventory({...}) with hosts, groups, children and vars, plus group_vars/', () => {
    expect(Object.fromEntries(inv.groups)).to.deep.equal({
      all: ['bastion', 'vprotect1', 'vprotect2'],
      ungrouped: ['bastion'],
      cluster: ['vprotect1', 'vprotect2'],
      site: ['vprotect1', 'vprotect2'],
      db: ['vprotect1'],
    });
    expect(inv.hosts.get('vprotect1' as HostName)?.vars).to.deep.equal({
      level: 'cluster',
      motd: 'hi',
      pcs_cluster_name: 'tscluster',
      ansible_host: '10.40.1.50',
    });
    expect(inv.hosts.get('vprotect1' as HostName)?.groups).to.deep.equal(['all', 'db', 'site', 'cluster']);
  });

  it('finds the line of each property in the source for origin()', () => {
    expect(inv.origin('vprotect2' as HostName, 'ansible_host')).to.equal(`${DIR_TS}/index.ts:14`);
    expect(inv.origin('vprotect2' as HostName, 'motd')).to.equal(`${DIR_TS}/index.ts:19`);
    expect(inv.origin('bastion' as HostName, 'level')).to.equal(`${DIR_TS}/index.ts:5`);
    expect(inv.origin('vprotect2' as HostName, 'pcs_cluster_name')).to.equal(`${DIR_TS}/group_vars/cluster.yml:1`);
  });
});
