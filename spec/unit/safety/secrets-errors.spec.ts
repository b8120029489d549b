// Error messages are output too: a value from a vault file (or !env) never shows in one, while the
// message still names the file, line and variable (found by this spec: they quoted vault plaintext).
import { expect } from 'chai';
import YAML from 'yaml';
import { site } from '../../../playbooks/site';
import { encryptVault } from '../../../engine/vault/crypto';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';

const VAULT_PASSWORD = 'vault-pw-for-spec';
const SECRET = 'Vlt-s3cret-4d9e0';

/** The site inventory (without its secrets) plus group_vars/all/vault.yml encrypted from `plain`. */
async function withVault(plain: string): Promise<string[]> {
  const rest = Object.fromEntries(Object.entries(SITE_GROUP_VARS).filter(([k]) => !k.endsWith('_password')));
  const dir = tempDir({
    'hosts.yml': SITE_HOSTS_YML,
    'group_vars/all/main.yml': YAML.stringify(rest),
    'group_vars/all/vault.yml': await encryptVault(plain, VAULT_PASSWORD),
    'vault-password': `${VAULT_PASSWORD}\n`,
  });
  return ['-i', dir, '--vault-password-file', `${dir}/vault-password`];
}

const passwords = `hacluster_password: ${SECRET}\nmariadb_replicator_password: ${SECRET}-r\nvprotect_admin_password: ${SECRET}-a\n`;

describe('safety: error messages show no vault value', () => {
  after(removeTempDirs);

  const cases: [string, string, RegExp][] = [
    ['a vault holding a bare password instead of a mapping', `${SECRET}\n`, /group_vars\/all\/vault\.yml:1: a vars file must be a mapping of variables, got the scalar '\*{8}'$/],
    ['a bad ansible_host kept in a vault', `${passwords}ansible_host: ${SECRET}!\n`, /group_vars\/all\/vault\.yml:4: ansible_host '\*{8}!' is not a hostname$/],
    ['a bad ansible_port kept in a vault', `${passwords}ansible_port: ${SECRET}\n`, /group_vars\/all\/vault\.yml:4: ansible_port '\*{8}' is not a port \(1\.\.65535\)$/],
    ['a role variable from a vault with a wrong value', `${passwords}cluster_vip: ${SECRET}\n`, /variable 'cluster_vip': '\*{8}' is not an IPv4 address \(set at .*group_vars\/all\/vault\.yml:4\)/],
  ];
  for (const [what, plain, message] of cases) {
    it(`${what}: exit 1, the place named, the value masked`, async () => {
      const run = await runMain(site, await withVault(plain));
      const text = run.err.join('\n');
      expect(run.code).to.equal(1);
      expect(text).to.match(/^ERROR: /).and.to.match(message);
      expect(text).not.to.contain(SECRET);
      expect(run.hosts.size).to.equal(0);
    });
  }

  it('a value given with !env is masked in a role variable message too', async () => {
    const rest = Object.fromEntries(Object.entries(SITE_GROUP_VARS).filter(([k]) => k !== 'ping_gateway'));
    const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': `${YAML.stringify(rest)}ping_gateway: !env SPEC_GATEWAY\n` });
    const run = await runMain(site, ['-i', dir], { env: { SPEC_GATEWAY: SECRET } });
    expect(run.code).to.equal(1);
    expect(run.err.join('\n')).to.contain("variable 'ping_gateway': '********' is not an IPv4 address").and.not.to.contain(SECRET);
  });
});
