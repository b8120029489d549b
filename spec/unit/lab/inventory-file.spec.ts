// The inventory `lab up` writes must load in the project's own inventory reader, as a playbook run would.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../../engine/inventory/load';
import type { HostName } from '../../../engine/types';
import { ARBITER, CLUSTER_GROUP, KNOWN_HOSTS, LAB_KEY, QNETD_GROUP, labHosts, lightHosts } from '../../../lab/config';
import { inventoryYaml } from '../../../lab/inventory-file';
import { tierArbiter, tierVars } from '../../../lab/tiers';

describe('lab: generated inventory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-inv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the hosts in group cluster with address, user, key and known_hosts', async () => {
    writeFileSync(join(dir, 'hosts.yml'), inventoryYaml({ cluster: { hosts: labHosts(2) } }, 'test'));
    const inv = await loadInventory(dir);
    expect(inv.select('cluster')).to.deep.equal(['vprotect1', 'vprotect2']);
    expect(inv.hosts.get('vprotect2' as HostName)?.vars).to.include({
      ansible_host: '198.18.0.12',
      ansible_user: 'root',
      ansible_ssh_private_key_file: LAB_KEY,
      ansible_ssh_known_hosts_file: KNOWN_HOSTS,
    });
  });

  it('the storage tier: the cluster with its arbiter named in the cluster\'s vars, the arbiter in group qnetd only', async () => {
    const arbiter = tierArbiter('storage')!;
    writeFileSync(
      join(dir, 'hosts.yml'),
      inventoryYaml({ [CLUSTER_GROUP]: { hosts: labHosts(2), vars: tierVars('storage') }, [QNETD_GROUP]: { hosts: [arbiter] } }, 'test'),
    );
    const inv = await loadInventory(dir);
    expect(inv.select('cluster')).to.deep.equal(['vprotect1', 'vprotect2']);
    expect(inv.select('qnetd')).to.deep.equal(['arbiter']);
    expect(inv.hosts.get('arbiter' as HostName)?.vars['ansible_host']).to.equal('198.18.0.10');
    expect(inv.hosts.get('vprotect1' as HostName)?.vars['pacemaker_quorum_device']).to.deep.equal({ host: ARBITER.name });
    expect(inv.hosts.get('arbiter' as HostName)?.vars['pacemaker_quorum_device'], 'the arbiter is no cluster member').to.equal(undefined);
    expect(tierArbiter('nspawn'), 'the nspawn tier has none').to.equal(undefined);
  });

  it('lists 50 light hosts in group light', async () => {
    writeFileSync(join(dir, 'hosts.yml'), inventoryYaml({ light: { hosts: lightHosts(50) } }, 'test'));
    const inv = await loadInventory(dir);
    expect(inv.select('light')).to.have.length(50);
    expect(inv.hosts.get('light50' as HostName)?.vars['ansible_host']).to.equal('198.18.0.150');
  });
});
