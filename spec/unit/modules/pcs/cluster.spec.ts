// pcs_auth, pcs_foreign_cluster and pcs_cluster on fake hosts: recorded corosync.conf files and pcs output.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import type { FakeConnection } from '../../../support/fake-connection';
import type { HostName } from '../../../../engine/types';
import { pcsAuth, pcsCluster, pcsForeignCluster, type PcsClusterParams } from '../../../../modules/pcs';
import { parseCorosyncConf } from '../../../../modules/pcs/corosync-conf';
import { moduleContext } from '../../../support/module-context';
import { changing, fixture, pcsHost } from './pcs-fakes';
import { failureMessage as failure } from '../../../support/failure';

const CONF = '/etc/corosync/corosync.conf';
const OURS_011 = fixture('corosync-0.11-two-nodes.conf');
const OURS_09 = fixture('corosync-0.9-two-nodes.conf');
const DEBIAN = fixture('corosync-debian-default.conf');
const KNOWN_HOSTS = JSON.stringify({
  format_version: 1,
  data_version: 2,
  known_hosts: {
    vprotect1: { dest_list: [{ addr: '198.18.0.11', port: 2224 }], token: 'tok-1' },
    vprotect2: { dest_list: [{ addr: '198.18.0.12', port: 2224 }], token: 'tok-2' },
  },
});
const nodes = [
  { name: 'vprotect1', addr: '198.18.0.11' },
  { name: 'vprotect2', addr: '198.18.0.12' },
];

describe('corosync.conf reading', () => {
  it('reads names, addresses and two_node from pcs 0.11, pcs 0.9 and Debian\'s default files', () => {
    expect(parseCorosyncConf(OURS_011)).to.deep.equal({
      clusterName: 'mycluster',
      nodes: [{ name: 'vprotect1', addrs: ['198.18.0.11'] }, { name: 'vprotect2', addrs: ['198.18.0.12'] }],
      twoNode: true,
    });
    expect(parseCorosyncConf(OURS_09)).to.deep.equal({
      clusterName: 'mycluster',
      nodes: [{ name: 'vprotect1', addrs: ['vprotect1'] }, { name: 'vprotect2', addrs: ['vprotect2'] }],
      twoNode: true,
    });
    expect(parseCorosyncConf(DEBIAN)).to.deep.equal({ clusterName: 'debian', nodes: [{ name: 'node1', addrs: ['127.0.0.1'] }], twoNode: false });
  });
});

describe('pcs_auth', () => {
  const status = (s1: string, s2: string) => ({ stdout: `  vprotect1: ${s1}\n  vprotect2: ${s2}\n`, code: s1 === 'Online' && s2 === 'Online' ? 0 : 2 });

  it('is a no-op when pcsd answers on every node with a token and the recorded addresses match', async () => {
    const h = pcsHost('vprotect1').file('/var/lib/pcsd/known-hosts', KNOWN_HOSTS);
    h.on('pcs status pcsd', status('Online', 'Online'));
    const r = await pcsAuth({ nodes, password: 'hapass' }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: false, commands: [] });
    expect(changing(h)).to.deep.equal([]);
  });

  it('0.10+: `pcs host auth NODE addr=IP -u hacluster` with the password on stdin only', async () => {
    const h = pcsHost('vprotect1');
    h.on('pcs status pcsd', status('Online', 'Online'));
    h.on('pcs status pcsd', status('Unable to authenticate', 'Unable to authenticate'), 1);
    const ctx = moduleContext(h);
    const r = await pcsAuth({ nodes, password: 'hapass' }).run(ctx);
    const cmd = sh`pcs host auth vprotect1 ${'addr=198.18.0.11'} vprotect2 ${'addr=198.18.0.12'} -u hacluster`;
    expect(r).to.deep.include({ changed: true, msg: 'authenticate to vprotect1, vprotect2', commands: [cmd] });
    expect(changing(h)).to.deep.equal([cmd]);
    const op = h.ops.find((o) => o.kind === 'exec' && o.cmd === cmd);
    expect(op?.kind === 'exec' && op.opts.stdin).to.equal('hapass\n');
    expect(h.commands.join('\n')).not.to.contain('hapass');
    expect(ctx.secrets).to.deep.equal(['hapass']);
  });

  it('re-authenticates a node whose recorded address differs', async () => {
    const h = pcsHost('vprotect1').file('/var/lib/pcsd/known-hosts', KNOWN_HOSTS);
    h.on('pcs status pcsd', status('Online', 'Online'));
    await pcsAuth({ nodes: [nodes[0]!, { name: 'vprotect2', addr: '198.18.0.22' }], password: 'p' }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal([sh`pcs host auth vprotect2 ${'addr=198.18.0.22'} -u hacluster`]);
  });

  it('0.9: `pcs cluster auth NODE... -u hacluster`, only for the nodes that need it', async () => {
    const h = pcsHost('vprotect1', { version: '0.9.169' });
    h.on('pcs status pcsd', status('Online', 'Online'));
    h.on('pcs status pcsd', status('Online', 'Unable to authenticate'), 1);
    await pcsAuth({ nodes, password: 'hapass', user: 'hacluster' }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal(['pcs cluster auth vprotect2 -u hacluster']);
  });

  it('fails when pcs says Authorized but the token is not usable afterwards (leftover corosync.conf)', async () => {
    const h = pcsHost('vprotect1');
    h.on('pcs status pcsd', status('Unable to authenticate', 'Online'));
    const msg = await failure(pcsAuth({ nodes, password: 'hapass' }).run(moduleContext(h)));
    expect(msg).to.equal(
      'pcs auth reported success but vprotect1 is "Unable to authenticate" afterwards; a leftover corosync.conf ' +
        '(such as Debian\'s default cluster "debian") makes pcs drop the tokens: remove it first (pcs_foreign_cluster ' +
        'with destroyForeign: true), and check pcsd runs on every node',
    );
  });

  it('under --check reports and sends no password anywhere', async () => {
    const h = pcsHost('vprotect1').file('/var/lib/pcsd/known-hosts', KNOWN_HOSTS);
    h.on('pcs status pcsd', status('Unable to authenticate', 'Online'));
    const r = await pcsAuth({ nodes, password: 'hapass' }).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would authenticate to vprotect1' });
    expect(changing(h)).to.deep.equal([]);
    expect(h.ops.some((o) => o.kind === 'exec' && o.opts.stdin !== undefined)).to.equal(false);
  });
});

describe('pcs_foreign_cluster', () => {
  const p = { name: 'mycluster', nodes: ['vprotect1', 'vprotect2'] };

  it('refuses to destroy Debian\'s default cluster without destroyForeign, naming host and parameter', async () => {
    const h = pcsHost('vprotect1').file(CONF, DEBIAN);
    const msg = await failure(pcsForeignCluster(p).run(moduleContext(h)));
    expect(msg).to.equal(
      'vprotect1 already belongs to corosync cluster "debian" with nodes node1, not the wanted cluster "mycluster"; ' +
        'destroying it wipes that cluster\'s configuration on vprotect1: set destroyForeign: true to allow it',
    );
    const named = await failure(pcsForeignCluster({ ...p, forceVariable: 'pacemaker_destroy_foreign_cluster' }).run(moduleContext(h)));
    expect(named).to.match(/on vprotect1: set pacemaker_destroy_foreign_cluster: true to allow it$/);
    expect(changing(h)).to.deep.equal([]);
  });

  it('destroys it with destroyForeign (--force on 0.11, which otherwise prompts)', async () => {
    const h = pcsHost('vprotect1').file(CONF, DEBIAN);
    const r = await pcsForeignCluster({ ...p, destroyForeign: true }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: 'destroy foreign cluster "debian" with nodes node1' });
    expect(changing(h)).to.deep.equal(['pcs cluster destroy --force']);
    const old = pcsHost('vprotect1', { version: '0.10.8' }).file(CONF, DEBIAN);
    await pcsForeignCluster({ ...p, destroyForeign: true }).run(moduleContext(old));
    expect(changing(old)).to.deep.equal(['pcs cluster destroy']);
  });

  it('never destroys the inventory\'s own nodes under another cluster name (a hand-built cluster), even with destroyForeign', async () => {
    const h = pcsHost('vprotect1').file(CONF, OURS_011);
    const msg = await failure(pcsForeignCluster({ ...p, name: 'vprotect', destroyForeign: true }).run(moduleContext(h)));
    expect(msg).to.equal(
      'vprotect1 belongs to corosync cluster "mycluster" with nodes vprotect1, vprotect2: this inventory\'s own nodes under another name than "vprotect". ' +
        'It is not destroyed (not even with destroyForeign): set cluster_name: mycluster to adopt it as it is',
    );
    expect(changing(h)).to.deep.equal([]);
  });

  it('never touches the wanted cluster or a host without one, even with destroyForeign', async () => {
    for (const conf of [OURS_011, OURS_09, undefined]) {
      const h = pcsHost('vprotect1');
      if (conf) h.file(CONF, conf);
      const r = await pcsForeignCluster({ ...p, destroyForeign: true }).run(moduleContext(h));
      expect(r.changed).to.equal(false);
      expect(changing(h)).to.deep.equal([]);
    }
  });

  it('under --check only reports the destruction', async () => {
    const h = pcsHost('vprotect1').file(CONF, DEBIAN);
    const r = await pcsForeignCluster({ ...p, destroyForeign: true }).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would destroy foreign cluster "debian" with nodes node1' });
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('pcs_cluster', () => {
  const params: PcsClusterParams = {
    name: 'mycluster',
    nodes: [
      { host: 'vprotect1' as HostName, addr: '198.18.0.11' },
      { host: 'vprotect2' as HostName, addr: '198.18.0.12' },
    ],
    waitSeconds: 120,
  };

  /** Two nodes; `conf` per node; services active/enabled per node. */
  function cluster(opts: { version?: string; conf?: (string | undefined)[]; active?: boolean[]; enabled?: boolean[]; setupWrites?: string }) {
    const hosts: FakeConnection[] = ['vprotect1', 'vprotect2'].map((n, i) => {
      const h = pcsHost(n, { version: opts.version });
      const conf = opts.conf?.[i];
      if (conf) h.file(CONF, conf);
      const word = (on: boolean | undefined, yes: string, no: string) => ({ stdout: `${on ? yes : no}\n${on ? yes : no}\n`, code: on ? 0 : 3 });
      h.on('systemctl is-active corosync pacemaker', word(opts.active?.[i], 'active', 'inactive'));
      h.on('systemctl is-enabled corosync pacemaker', word(opts.enabled?.[i], 'enabled', 'disabled'));
      h.on('systemctl enable corosync pacemaker', { code: 0 });
      return h;
    });
    const [h1, h2] = hosts as [FakeConnection, FakeConnection];
    if (opts.setupWrites) {
      const written = opts.setupWrites;
      h1.on(/^pcs cluster setup /, (_c, _o, host) => {
        for (const h of [host, h2]) h.file(CONF, written);
        return { code: 0 };
      });
    }
    return { h1, h2, ctx: (check = false) => moduleContext(h1, { peers: [h2], check }) };
  }

  it('sets up, starts and enables a new cluster (0.11 syntax), checking two_node', async () => {
    const { h1, h2, ctx } = cluster({ setupWrites: OURS_011 });
    const r = await pcsCluster(params).run(ctx());
    const expected = [
      sh`pcs cluster setup mycluster vprotect1 ${'addr=198.18.0.11'} vprotect2 ${'addr=198.18.0.12'}`,
      sh`pcs cluster start --all ${'--wait=120'}`,
      'systemctl enable corosync pacemaker',
      'systemctl enable corosync pacemaker',
    ];
    expect(r).to.deep.include({ changed: true, commands: expected, twoNode: true });
    expect(r.msg).to.equal('set up cluster mycluster; started on vprotect1, vprotect2; enabled on vprotect1, vprotect2');
    // Each node enables its own services (not through pcsd, whose request timeout a busy node can miss).
    expect(changing(h1)).to.deep.equal(expected.slice(0, 3));
    expect(changing(h2)).to.deep.equal(['systemctl enable corosync pacemaker']);
  });

  it('uses `setup --name` on pcs 0.9', async () => {
    const { h1, ctx } = cluster({ version: '0.9.169', setupWrites: OURS_09 });
    await pcsCluster({ ...params, waitSeconds: undefined }).run(ctx());
    expect(changing(h1)).to.deep.equal(['pcs cluster setup --name mycluster vprotect1 vprotect2', 'pcs cluster start --all', 'systemctl enable corosync pacemaker']);
  });

  it('is a no-op when every node has the cluster, running and enabled (second run)', async () => {
    const { h1, h2, ctx } = cluster({ conf: [OURS_011, OURS_011], active: [true, true], enabled: [true, true] });
    const r = await pcsCluster(params).run(ctx());
    expect(r).to.deep.include({ changed: false, msg: 'cluster mycluster set up, running and enabled', commands: [], twoNode: true });
    expect([...changing(h1), ...changing(h2)]).to.deep.equal([]);
  });

  it('starts and enables only the nodes that need it', async () => {
    const { h1, h2, ctx } = cluster({ conf: [OURS_011, OURS_011], active: [true, false], enabled: [false, true] });
    await pcsCluster(params).run(ctx());
    expect(changing(h1)).to.deep.equal([sh`pcs cluster start vprotect2 ${'--wait=120'}`, 'systemctl enable corosync pacemaker']);
    expect(changing(h2)).to.deep.equal([]);
  });

  it('refuses a foreign cluster on the other node unless destroyForeign, then destroys it there', async () => {
    const refused = cluster({ conf: [undefined, DEBIAN] });
    const msg = await failure(pcsCluster(params).run(refused.ctx()));
    expect(msg).to.equal(
      'vprotect2 already belongs to corosync cluster "debian" with nodes node1, not the wanted cluster "mycluster"; ' +
        'destroying it wipes that cluster\'s configuration on vprotect2: set destroyForeign: true to allow it',
    );
    const named = await failure(pcsCluster({ ...params, forceVariable: 'pacemaker_destroy_foreign_cluster' }).run(refused.ctx()));
    expect(named).to.match(/on vprotect2: set pacemaker_destroy_foreign_cluster: true to allow it$/);
    expect([...changing(refused.h1), ...changing(refused.h2)]).to.deep.equal([]);

    const allowed = cluster({ conf: [undefined, DEBIAN], setupWrites: OURS_011 });
    await pcsCluster({ ...params, destroyForeign: true }).run(allowed.ctx());
    expect(changing(allowed.h2)).to.deep.equal(['pcs cluster destroy --force', 'systemctl enable corosync pacemaker']);
    expect(changing(allowed.h1)[0]).to.match(/^pcs cluster setup mycluster /);
  });

  it('stops at a half-configured cluster with what to do', async () => {
    const { ctx } = cluster({ conf: [OURS_011, undefined] });
    expect(await failure(pcsCluster(params).run(ctx()))).to.equal(
      'cluster mycluster is configured on vprotect1 but not on vprotect2; add them with `pcs cluster node add` ' +
        '(or destroy the cluster everywhere to set it up again)',
    );
  });

  it('under --check reports setup, start and enable and changes nothing', async () => {
    const { h1, h2, ctx } = cluster({ conf: [undefined, DEBIAN] });
    const r = await pcsCluster({ ...params, destroyForeign: true }).run(ctx(true));
    expect(r.changed).to.equal(true);
    expect(r.msg).to.match(/^would: destroyed cluster "debian" with nodes node1 on vprotect2; set up cluster mycluster; started/);
    expect([...changing(h1), ...changing(h2)]).to.deep.equal([]);
  });
});
