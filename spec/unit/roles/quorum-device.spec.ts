// The pacemaker role with an arbiter (pacemaker_quorum_device), site.ts on a fake pair and a fake arbiter: the
// arbiter's set-up runs there once (delegated), the nodes get corosync-qdevice, the heuristic and the device,
// the CIB gets no-quorum-policy=stop; and the refusals a user sees, before any host is contacted.
import { expect } from 'chai';
import YAML from 'yaml';
import { sh } from '../../../engine/shell';
import { site } from '../../../playbooks/site';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';
import { siteCluster } from '../../support/site-host';

/** The site pair and an arbiter in group qnetd. */
const HOSTS_YML = `${SITE_HOSTS_YML}    qnetd:\n      hosts:\n        arbiter: {ansible_host: 198.18.0.10}\n`;

async function run(vars: Readonly<Record<string, unknown>>, argv: readonly string[] = []) {
  const dir = tempDir({ 'hosts.yml': HOSTS_YML, 'group_vars/all.yml': YAML.stringify({ ...SITE_GROUP_VARS, ...vars }) });
  const cluster = siteCluster();
  return runMain(site, ['-i', dir, ...argv], { host: (e) => cluster.host(e.name) });
}

describe('pacemaker role: the arbiter (pacemaker_quorum_device)', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('sets corosync-qnetd up on the arbiter once, then the device from the preferred node, and the CIB gets no-quorum-policy=stop', async () => {
    const r = await run({ pacemaker_quorum_device: { host: 'arbiter' } });
    expect(r.code, [...r.out, ...r.err].join('\n')).to.equal(0);
    const arbiter = r.hosts.get('arbiter')!.commands;
    expect(arbiter.filter((c) => c.includes('pcs qdevice setup model net --enable --start')), 'pcs qdevice setup on the arbiter').to.have.length(1);
    expect(arbiter.some((c) => /corosync-qnetd/.test(c) && /apt-get .*install/.test(c)), 'corosync-qnetd installed on the arbiter').to.equal(true);
    const v1 = r.hosts.get('vprotect1')!.commands;
    const v2 = r.hosts.get('vprotect2')!.commands;
    expect(v1, 'vprotect1 authenticates to the arbiter').to.include(sh`pcs host auth 198.18.0.10 ${'addr=198.18.0.10'} -u hacluster`);
    const add = v1.filter((c) => c.startsWith('pcs quorum device add'));
    expect(add).to.deep.equal([
      sh`pcs quorum device add model net ${'host=198.18.0.10'} ${'algorithm=ffsplit'} heuristics ${'mode=sync'} ${'exec_holds_vip=/usr/local/sbin/vprotect-ha-holds-vip'}`,
    ]);
    expect(v2.filter((c) => c.startsWith('pcs quorum device')), 'run once, from the preferred node').to.deep.equal([]);
    for (const [name, cmds] of [['vprotect1', v1], ['vprotect2', v2]] as const) {
      expect(cmds.some((c) => /corosync-qdevice/.test(c) && /apt-get .*install/.test(c)), `corosync-qdevice installed on ${name}`).to.equal(true);
    }
    expect(v1.some((c) => /pcs -f \S+ property set .*no-quorum-policy\\?=stop/.test(c)), 'no-quorum-policy=stop').to.equal(true);
    // The heuristic: the node that holds the floating IP passes.
    const script = r.hosts.get('vprotect2')!.files.get('/usr/local/sbin/vprotect-ha-holds-vip')?.content.toString('utf8');
    expect(script).to.contain('ip -o addr show to 198.18.0.100 | grep -q .');
  });

  it('without an arbiter keeps the how-to\'s no-quorum-policy=ignore (the fake CIB has it already) and touches no qdevice', async () => {
    const r = await run({});
    expect(r.code, r.err.join('\n')).to.equal(0);
    const v1 = r.hosts.get('vprotect1')!.commands;
    expect(v1.filter((c) => /no-quorum-policy/.test(c))).to.deep.equal([]);
    expect(v1.filter((c) => /qdevice|quorum device/.test(c))).to.deep.equal([]);
    expect(r.hosts.has('arbiter'), 'the arbiter is never contacted').to.equal(false);
  });

  const refusals: [string, Readonly<Record<string, unknown>>, string][] = [
    ['an arbiter the inventory does not have', { pacemaker_quorum_device: { host: 'qnetd1' } }, "role pacemaker: pacemaker_quorum_device.host 'qnetd1' is not an inventory host (hosts: vprotect1, vprotect2, arbiter)"],
    ['a cluster node as the arbiter', { pacemaker_quorum_device: { host: 'vprotect2' } }, "role pacemaker: pacemaker_quorum_device.host 'vprotect2' is a cluster node: the arbiter must be a third machine, outside the play's hosts"],
    [
      'an arbiter with no-quorum-policy=ignore',
      { pacemaker_quorum_device: { host: 'arbiter' }, pacemaker_no_quorum_policy: 'ignore' },
      'role pacemaker: pacemaker_no_quorum_policy=ignore makes the quorum device useless (a half without quorum would still promote): leave it unset (stop) or set stop, freeze or demote',
    ],
  ];
  for (const [what, vars, msg] of refusals) {
    it(`refuses ${what} before any host is contacted`, async () => {
      const r = await run(vars);
      expect(r.code).to.equal(1);
      expect(r.err).to.deep.equal([`ERROR: ${msg}`]);
      expect([...r.hosts.values()].flatMap((h) => h.ops), 'no host contacted').to.deep.equal([]);
    });
  }
});
