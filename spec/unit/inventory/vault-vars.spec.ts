import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadInventory } from '../../../engine/inventory/load';
import type { HostName } from '../../../engine/types';
import { encryptVault } from '../../../engine/vault/crypto';
import { VAULT_PASSWORD_HINT } from '../../../engine/vault/password';
import { configError, removeTempTrees, tempTree } from './temp-tree';

const VAULT_PLAINTEXT = [
  '# secrets of the cluster',
  'hacluster_password: hc-secret',
  'mariadb:',
  '  root_password: root-secret',
  '  users: [replicator, repl-secret-list]',
  'replicator_port: 3306',
  'from_env: !env VPHA_TEST_VAULT_ENV',
  '',
].join('\n');

describe('inventory: vault-encrypted group_vars/host_vars', () => {
  let dir: string;
  const vaultFile = () => join(dir, 'group_vars/cluster/vault.yml');
  before(async () => {
    dir = tempTree({
      hosts: '[cluster]\nvprotect1 ansible_host=10.40.1.50\nvprotect2 ansible_host=10.40.1.52\n',
      'group_vars/cluster/main.yml': 'cluster_name: mycluster\nhacluster_password: overridden-by-vault\n',
      'host_vars/vprotect2.yml': 'plain: value\n',
    });
    writeFileSync(vaultFile(), await encryptVault(VAULT_PLAINTEXT, 'vault-pw'));
    writeFileSync(join(dir, 'host_vars/vprotect1.yml'), await encryptVault('node_secret: n1-secret\n', 'vault-pw'));
  });
  after(removeTempTrees);

  it('decrypts vault files transparently and merges them in name order', async () => {
    const inv = await loadInventory(dir, { vaultPassword: 'vault-pw', env: { VPHA_TEST_VAULT_ENV: 'env-secret' } });
    const v1 = inv.hosts.get('vprotect1' as HostName)?.vars ?? {};
    expect(v1).to.deep.include({
      cluster_name: 'mycluster',
      hacluster_password: 'hc-secret',
      mariadb: { root_password: 'root-secret', users: ['replicator', 'repl-secret-list'] },
      replicator_port: 3306,
      from_env: 'env-secret',
      node_secret: 'n1-secret',
    });
    expect(inv.origin('vprotect1' as HostName, 'hacluster_password')).to.equal(`${vaultFile()}:2`);
    expect(inv.origin('vprotect1' as HostName, 'node_secret')).to.equal(`${dir}/host_vars/vprotect1.yml:1`);
  });

  it('makes every string of a vault file a secret, and nothing from plain files', async () => {
    const inv = await loadInventory(dir, { vaultPassword: 'vault-pw', env: { VPHA_TEST_VAULT_ENV: 'env-secret' } });
    expect([...inv.secrets].sort()).to.deep.equal(
      ['env-secret', 'hc-secret', 'n1-secret', 'repl-secret-list', 'replicator', 'root-secret'].sort(),
    );
  });

  it('asks for the password by flag or environment when none is given', async () => {
    const message = await configError(() => loadInventory(dir, { env: {} }));
    expect(message).to.equal(`${vaultFile()} is vault-encrypted: ${VAULT_PASSWORD_HINT}`);
  });

  it('names the file on a wrong password', async () => {
    const message = await configError(() => loadInventory(dir, { vaultPassword: 'nope', env: {} }));
    expect(message).to.equal(`vault ${vaultFile()}: wrong password: no vault secret decrypts it (tried vault id 'default' (the given password))`);
  });

  it('names the file and the plaintext line when a vault holds bad YAML', async () => {
    const bad = tempTree({ hosts: '[all]\nh\n', 'group_vars/all.yml': await encryptVault('a: 1\n- b\n', 'pw') });
    const message = await configError(() => loadInventory(bad, { vaultPassword: 'pw', env: {} }));
    expect(message).to.equal(`${bad}/group_vars/all.yml:2: Implicit keys need to be on a single line`);
  });
});
