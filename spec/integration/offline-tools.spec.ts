// Real tools, no cluster and no kernel module: pcs -f on a CIB file made by cibadmin, driven by the pcs
// modules through LocalConnection, proves the generated command lines are what real pcs accepts and
// that rerunning them changes nothing.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Action, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { pcsConstraint, pcsNode, pcsProperty, pcsResource, pcsResourceDefaults } from '../../modules/pcs';
import { readCib } from '../../modules/pcs/cib';
import { localContext, withCheck, type LocalContext } from '../support/local-context';

const has = (tool: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('pcs modules against real pcs on a CIB file (pcs -f)', function () {
  this.timeout(180_000);
  let dir: string;
  let cibFile: string;
  let ctx: LocalContext;

  before(async function () {
    if (!has('pcs') || !has('cibadmin')) throw new Error('pcs and cibadmin are needed: apt-get install pcs pacemaker-cli-utils');
    dir = mkdtempSync(path.join(tmpdir(), 'pcs-offline-'));
    cibFile = path.join(dir, 'cib.xml');
    writeFileSync(cibFile, execFileSync('cibadmin', ['--empty']));
    for (const [id, uname] of [['1', 'vprotect1'], ['2', 'vprotect2']]) {
      execFileSync('cibadmin', ['-C', '-o', 'nodes', '-X', `<node id="${id}" uname="${uname}"/>`], { env: { ...process.env, CIB_file: cibFile } });
    }
    ctx = await localContext();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The how-to's cluster configuration, as module calls on the CIB file.
  const howTo = (): Action<ModuleResult>[] => [
    pcsProperty({ cibFile, properties: { 'no-quorum-policy': 'ignore', 'stonith-enabled': false } }),
    pcsResourceDefaults({ cibFile, defaults: { 'failure-timeout': '30s', 'migration-threshold': 3 } }),
    pcsResource({
      cibFile,
      id: 'Failover_IP',
      agent: 'ocf:heartbeat:IPaddr2',
      attributes: { ip: '198.18.0.100', cidr_netmask: 24 },
      operations: [{ action: 'monitor', options: { interval: '30s' } }],
    }),
    pcsResource({
      cibFile,
      id: 'ping',
      agent: 'ocf:pacemaker:ping',
      attributes: { dampen: '5s', multiplier: 1000, host_list: '198.18.0.1' },
      clone: {},
    }),
    pcsConstraint({ cibFile, kind: 'location_rule', resource: 'Failover_IP', rule: 'pingd lt 1 or not_defined pingd', score: '-INFINITY' }),
    pcsResource({
      cibFile,
      id: 'vProtect-node',
      agent: 'systemd:vprotect-node',
      operations: [{ action: 'monitor', options: { timeout: '300s', 'on-fail': 'stop' } }],
      group: 'vProtect-group',
      force: true,
    }),
    pcsResource({
      cibFile,
      id: 'vProtect-server',
      agent: 'service:vprotect-server',
      operations: [
        { action: 'start', options: { 'on-fail': 'stop', timeout: '300s' } },
        { action: 'stop', options: { timeout: '300s', 'on-fail': 'stop' } },
        { action: 'monitor', options: { timeout: '300s', 'on-fail': 'stop' } },
      ],
      group: 'vProtect-group',
      force: true,
    }),
    pcsConstraint({ cibFile, kind: 'colocation', resource: 'Failover_IP', with: 'vProtect-group' }),
    pcsConstraint({ cibFile, kind: 'location', resource: 'Failover_IP', node: 'vprotect1', score: 'INFINITY' }),
    pcsConstraint({ cibFile, kind: 'location', resource: 'vProtect-group', node: 'vprotect1' }),
    pcsResource({
      cibFile,
      id: 'replicate',
      agent: 'ocf:linbit:drbd',
      attributes: { drbd_resource: 'replicate' },
      operations: [{ action: 'monitor', options: { interval: '10s' } }],
      promotable: { id: 'replicateClone', meta: { 'promoted-max': 1, 'promoted-node-max': 1, 'clone-max': 2, 'clone-node-max': 1, notify: true } },
    }),
    pcsResource({
      cibFile,
      id: 'fs_resource',
      agent: 'ocf:heartbeat:Filesystem',
      attributes: { device: '/dev/drbd0', directory: '/vprotect_data', fstype: 'xfs' },
      group: 'fs_group',
    }),
    pcsConstraint({ cibFile, kind: 'colocation', resource: 'fs_group', with: 'replicateClone', withRole: 'Promoted' }),
    pcsConstraint({ cibFile, kind: 'order', first: 'replicateClone', firstAction: 'promote', then: 'fs_group', thenAction: 'start' }),
    pcsConstraint({ cibFile, kind: 'colocation', resource: 'vProtect-group', with: 'fs_group' }),
  ];

  it('applies the how-to configuration: every call changes the file and real pcs accepts it', async () => {
    for (const action of howTo()) {
      const r = await action.run(ctx);
      expect(r.changed, `${action.describe}: ${r.msg}`).to.equal(true);
    }
    const cib = await readCib(ctx, { cibFile });
    expect(cib.properties).to.include({ 'no-quorum-policy': 'ignore', 'stonith-enabled': 'false' });
    expect(cib.rscDefaults).to.include({ 'failure-timeout': '30s', 'migration-threshold': '3' });
    expect(cib.resources.get('replicate')).to.include({ kind: 'primitive', agent: 'ocf:linbit:drbd' });
    expect(cib.resources.get('replicateClone')).to.include({ promotable: true, child: 'replicate' });
    expect(cib.resources.get('ping-clone')).to.include({ kind: 'clone', child: 'ping' });
    expect(cib.resources.get('vProtect-group')).to.deep.include({ members: ['vProtect-node', 'vProtect-server'] });
    expect(cib.constraints.map((c) => c.id)).to.have.members([
      'location-Failover_IP-rule',
      'colocation-Failover_IP-vProtect-group-INFINITY',
      'location-Failover_IP-vprotect1-INFINITY',
      'location-vProtect-group-vprotect1-INFINITY',
      'colocation-fs_group-replicateClone-INFINITY',
      'order-replicateClone-fs_group-mandatory',
      'colocation-vProtect-group-fs_group-INFINITY',
    ]);
    // pacemaker itself finds the result valid
    execFileSync('crm_verify', ['-x', cibFile]);
  });

  it('a second run of the same calls changes nothing', async () => {
    const before = readFileSync(cibFile, 'utf8');
    for (const action of howTo()) {
      const r = await action.run(ctx);
      expect(r.changed, `${action.describe}: ${r.msg}`).to.equal(false);
    }
    expect(readFileSync(cibFile, 'utf8')).to.equal(before);
  });

  it('updates only the differing option of an existing resource', async () => {
    const r = await pcsResource({
      cibFile,
      id: 'Failover_IP',
      agent: 'ocf:heartbeat:IPaddr2',
      attributes: { ip: '198.18.0.100', cidr_netmask: 22 },
      operations: [{ action: 'monitor', options: { interval: '30s' } }],
    }).run(ctx);
    expect(r.changed).to.equal(true);
    expect(r.commands).to.deep.equal([sh`pcs -f ${cibFile} ${['resource', 'update', 'Failover_IP', 'cidr_netmask=22']}`]);
    const cib = await readCib(ctx, { cibFile });
    const ip = cib.resources.get('Failover_IP');
    expect(ip?.kind === 'primitive' && ip.attributes).to.deep.equal({ cidr_netmask: '22', ip: '198.18.0.100' });
  });

  it('replaces a constraint on the same subject with a different score, keeping one', async () => {
    const r = await pcsConstraint({ cibFile, kind: 'location', resource: 'Failover_IP', node: 'vprotect1', score: 100 }).run(ctx);
    expect(r.changed).to.equal(true);
    const ids = (await readCib(ctx, { cibFile })).constraints.filter((c) => c.type === 'location' && c.node === 'vprotect1' && c.rsc === 'Failover_IP');
    expect(ids.map((c) => [c.id, c.type === 'location' && c.score])).to.deep.equal([['location-Failover_IP-vprotect1-100', '100']]);
  });

  it('puts a node in standby and back, each once', async () => {
    expect((await pcsNode({ cibFile, node: 'vprotect1', state: 'standby' }).run(ctx)).changed).to.equal(true);
    expect((await pcsNode({ cibFile, node: 'vprotect1', state: 'standby' }).run(ctx)).changed).to.equal(false);
    expect((await readCib(ctx, { cibFile })).nodeAttributes.get('vprotect1')).to.include({ standby: 'on' });
    expect((await pcsNode({ cibFile, node: 'vprotect1', state: 'unstandby' }).run(ctx)).changed).to.equal(true);
    expect((await pcsNode({ cibFile, node: 'vprotect1', state: 'unstandby' }).run(ctx)).changed).to.equal(false);
  });

  it('under --check reports what would change and leaves the file alone', async () => {
    const before = readFileSync(cibFile, 'utf8');
    const check = withCheck(ctx, true);
    const r = await pcsProperty({ cibFile, properties: { 'stonith-enabled': true } }).run(check);
    expect(r.changed).to.equal(true);
    expect(r.msg).to.equal('would set stonith-enabled=true');
    const created = await pcsResource({ cibFile, id: 'extra', agent: 'ocf:heartbeat:Dummy' }).run(check);
    expect(created.changed).to.equal(true);
    expect(readFileSync(cibFile, 'utf8')).to.equal(before);
    expect(check.logs.filter((l) => l.includes(' -f '))).to.deep.equal([]);
  });
});
