// `npm run inventory` prints what ansible-inventory prints, byte for byte (--list, --host, --graph), and
// masks what came from a vault.
import { join } from 'node:path';
import { expect } from 'chai';
import { inventoryMain } from '../../../engine/inventory/cli';
import { ansible, requireAnsible } from '../../support/ansible';
import { CORPUS } from '../../support/inventory-differential';

async function ours(argv: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const err: string[] = [];
  const code = await inventoryMain(argv, { out: (t) => (out += t), err: (l) => err.push(l), env: {}, cwd });
  return { code, out, err: err.join('\n') };
}

describe('inventory CLI: the output of ansible-inventory', function () {
  this.timeout(60000);
  before(function () {
    requireAnsible(this);
  });

  const runs: [string, string[]][] = [
    ['01-ini-web-db', ['--list']],
    ['10-ini-precedence', ['--list']],
    ['14-yaml-basic', ['--list']],
    ['34-multi-env-layout', ['--list']],
    ['01-ini-web-db', ['--host', 'bar.example.com']],
    ['01-ini-web-db', ['--graph']],
    ['34-multi-env-layout', ['--graph']],
    ['34-multi-env-layout', ['--graph', 'atlanta']],
  ];
  for (const [name, action] of runs) {
    it(`${name} ${action.join(' ')}: the same text`, async () => {
      const dir = join(process.cwd(), CORPUS, name);
      const source = name.startsWith('34') ? 'inventories/production' : 'inventory';
      const theirs = ansible('ansible-inventory', ['-i', source, ...action], { cwd: dir });
      expect(theirs.status, theirs.stderr).to.equal(0);
      const mine = await ours(['-i', source, ...action], dir);
      expect(mine.code, mine.err).to.equal(0);
      expect(mine.out).to.equal(theirs.stdout);
    });
  }

  it('masks values from a vault (ansible-inventory prints them in clear)', async () => {
    const dir = join(process.cwd(), CORPUS, '26-vault-files');
    const mine = await ours(['-i', 'inventory', '--vault-password-file', 'vault-pass', '--host', 'vprotect1'], dir);
    expect(mine.code, mine.err).to.equal(0);
    const vars = JSON.parse(mine.out) as Record<string, unknown>;
    expect(vars).to.deep.include({ hacluster_password: '********', node_secret: '********', cluster_name: 'mycluster' });
    expect(mine.out).not.to.include('hc-secret');
  });

  it('--graph reads no secret, as ansible-inventory --graph: inventory/prod with its !env values unset, a vault without its password', async () => {
    const prod = await ours(['-i', 'inventory/prod', '--graph'], process.cwd());
    const theirs = ansible('ansible-inventory', ['-i', 'inventory/prod', '--graph'], { cwd: process.cwd() });
    expect(theirs.status, theirs.stderr).to.equal(0);
    expect([prod.code, prod.err, prod.out]).to.deep.equal([0, '', theirs.stdout]);
    const vaulted = join(process.cwd(), CORPUS, '26-vault-files');
    const graph = await ours(['-i', 'inventory', '--graph'], vaulted);
    expect([graph.code, graph.err, graph.out]).to.deep.equal([0, '', ansible('ansible-inventory', ['-i', 'inventory', '--graph'], { cwd: vaulted }).stdout]);
    // The variables need them, and the error says which one is missing.
    const host = await ours(['-i', 'inventory/prod', '--host', 'vprotect1']); // as a user runs it: paths as typed
    expect(host.code).to.equal(1);
    expect(host.err).to.match(/^ERROR: inventory\/prod\/group_vars\/all\.yml:\d+: hacluster_password: environment variable VPHA_HACLUSTER_PASSWORD is not set/);
  });

  it('refuses a wrong action or pattern with one ERROR line', async () => {
    const dir = join(process.cwd(), CORPUS, '01-ini-web-db');
    expect(await ours(['-i', 'inventory', '--list', '--graph'], dir)).to.deep.include({ code: 1, err: 'ERROR: give exactly one of --list, --host HOST or --graph' });
    expect(await ours(['-i', 'inventory', '--host', 'webservers'], dir)).to.deep.include({
      code: 1,
      err: "ERROR: --host 'webservers' must select exactly one host (it selects 2)",
    });
    expect(await ours(['-i', 'inventory', '--graph', 'nosuch'], dir)).to.deep.include({
      code: 1,
      err: 'ERROR: --graph nosuch: no group of that name (the pattern must be a group name)',
    });
  });
});
