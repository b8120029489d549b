// Real tools, no cluster and no kernel module: pcs -f on a CIB file made by cibadmin, driven by the pcs
// modules through LocalConnection, proves the generated command lines are what real pcs accepts and
// that rerunning them changes nothing.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Action, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { pcsConstraint, pcsNode, pcsProperty, pcsResource, pcsResourceDefaults } from '../../modules/pcs';
import { readCib } from '../../modules/pcs/cib';
import { drbdMd, drbdResource } from '../../modules/drbd';
import { filesystem, mount } from '../../modules/storage';
import { renderTemplate } from '../../modules/lib/handlebars';
import { localContext, withCheck, type LocalContext } from '../support/local-context';
import { failureMessage as failure } from '../support/failure';

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

/** A loop device on a fresh sparse image, detached and removed by `free`. */
function loopDevice(dir: string, name: string, sizeMb = 64): { dev: string; free: () => void } {
  const img = path.join(dir, `${name}.img`);
  execFileSync('truncate', ['-s', `${sizeMb}M`, img]);
  const dev = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
  return {
    dev,
    free: () => {
      execFileSync('losetup', ['-d', dev]);
      rmSync(img, { force: true });
    },
  };
}

describe('drbd and storage modules on real tools and loop devices', function () {
  this.timeout(120_000);
  let dir: string;
  let ctx: LocalContext;
  let withFs: { dev: string; free: () => void };
  let blank: { dev: string; free: () => void };
  const resFile = (): string => path.join(dir, 'replicate.res');

  before(async function () {
    for (const tool of ['drbdadm', 'losetup', 'mkfs.ext4', 'blkid', 'findmnt']) {
      if (!has(tool)) throw new Error(`${tool} is needed: apt-get install drbd-utils util-linux e2fsprogs`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'drbd-offline-'));
    withFs = loopDevice(dir, 'with-fs');
    execFileSync('mkfs.ext4', ['-q', withFs.dev]);
    blank = loopDevice(dir, 'blank');
    ctx = await localContext();
  });
  after(() => {
    withFs?.free();
    blank?.free();
    rmSync(dir, { recursive: true, force: true });
  });

  const vars = (disk: string) => ({
    resource: 'replicate',
    drbd9: true,
    device: '/dev/drbd0',
    disk,
    port: 7788,
    nodes: [
      // drbdadm checks that this host owns its address
      { hostname: ctx.facts.hostname, address: '127.0.0.1' },
      { hostname: 'vprotect2', address: '198.18.0.12' },
    ],
  });

  it('drbd_resource renders templates/drbd-resource.hbs, real drbdadm accepts it, a rerun is a no-op', async () => {
    const p = { name: 'replicate', path: resFile(), template: 'drbd-resource', vars: vars(blank.dev) };
    const first = await drbdResource(p).run(ctx);
    expect(first).to.deep.include({ changed: true, msg: `created ${resFile()}` });
    execFileSync('drbdadm', ['-c', resFile(), 'dump', 'all'], { stdio: 'ignore' });
    expect((await drbdResource(p).run(ctx)).changed).to.equal(false);
    const other = await drbdResource({ ...p, vars: { ...vars(blank.dev), port: 7789 } }).run(withCheck(ctx, true));
    expect(other).to.deep.include({ changed: true, msg: `would update ${resFile()}` });
    expect(readFileSync(resFile(), 'utf8')).to.contain(':7788;');
  });

  it('drbd_resource refuses a file drbdadm rejects, leaving the old one and no temp file', async () => {
    const before = readFileSync(resFile(), 'utf8');
    const typo = before.replace('protocol C;', 'protocl C;');
    const msg = await failure(drbdResource({ name: 'replicate', path: resFile(), content: typo }).run(ctx));
    expect(msg).to.match(new RegExp(`^the new ${resFile()} for localhost does not pass \`drbdadm dump\` \\(exit 10\\): .*Parse error: .*but got 'protocl'`, 's'));
    expect(readFileSync(resFile(), 'utf8')).to.equal(before);
    expect(readdirSync('/tmp').filter((f) => f.startsWith('.drbd-check-'))).to.deep.equal([]);
  });

  it('drbd_resource catches the how-to\'s missing closing brace, which real drbdadm accepts', async () => {
    const before = readFileSync(resFile(), 'utf8');
    const broken = before.trimEnd().replace(/}$/, '');
    const tmp = path.join(dir, 'broken.res');
    writeFileSync(tmp, broken);
    // drbdadm itself parses it without complaint...
    execFileSync('drbdadm', ['-c', tmp, 'dump', 'replicate'], { stdio: 'ignore' });
    // ...so the module checks the braces itself, before touching the host
    const action = drbdResource({ name: 'replicate', path: resFile(), content: broken });
    expect(() => action.preflight?.()).to.throw("drbd_resource replicate: unbalanced braces: 1 '{' never closed (a missing '}' at the end?)");
    expect(await failure(action.run(ctx))).to.contain('unbalanced braces');
    expect(readFileSync(resFile(), 'utf8')).to.equal(before);
  });

  it('drbd_md refuses a backing disk holding a filesystem, naming host, device and parameter', async () => {
    const conf = path.join(dir, 'fs.res');
    writeFileSync(conf, renderTemplate('drbd-resource', vars(withFs.dev)));
    const msg = await failure(drbdMd({ resource: 'replicate', config: conf }).run(ctx));
    expect(msg).to.equal(
      `refusing to create DRBD metadata on ${withFs.dev} (resource replicate) on localhost: it holds an ext4 filesystem signature; ` +
        'create-md would destroy it. Wipe the disk yourself or set force: true',
    );
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', withFs.dev], { encoding: 'utf8' }).trim()).to.equal('ext4');
  });

  it('drbd_md writes real metadata on a blank disk once; a rerun finds it', async () => {
    const md = drbdMd({ resource: 'replicate', config: resFile() });
    expect((await md.run(withCheck(ctx, true))).changed).to.equal(true);
    expect(execFileSync('sh', ['-c', `blkid -p -o value -s TYPE ${blank.dev}; echo rc=$?`], { encoding: 'utf8' }).trim()).to.equal('rc=2');
    const r = await md.run(ctx);
    expect(r).to.deep.include({ changed: true, disk: blank.dev, msg: `create DRBD metadata on ${blank.dev}` });
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', blank.dev], { encoding: 'utf8' }).trim()).to.equal('drbd');
    expect(await md.run(ctx)).to.deep.include({ changed: false, msg: `DRBD metadata present on ${blank.dev}` });
  });

  it('filesystem: the same type is ok, another is refused, force reformats', async () => {
    expect(await filesystem({ device: withFs.dev, fstype: 'ext4' }).run(ctx)).to.deep.include({ changed: false, before: 'ext4' });
    expect(await failure(filesystem({ device: withFs.dev, fstype: 'xfs' }).run(ctx))).to.equal(
      `refusing to make xfs on ${withFs.dev} on localhost: it holds an ext4 filesystem signature; mkfs would destroy it. Set force: true to reformat`,
    );
    expect(await failure(filesystem({ device: blank.dev, fstype: 'ext4' }).run(ctx))).to.match(/it holds a drbd raid signature/);
    const check = await filesystem({ device: withFs.dev, fstype: 'xfs', force: true }).run(withCheck(ctx, true));
    expect(check.msg).to.equal(`would make xfs on ${withFs.dev} over an ext4 filesystem signature (force)`);
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', withFs.dev], { encoding: 'utf8' }).trim()).to.equal('ext4');
    const forced = await filesystem({ device: withFs.dev, fstype: 'ext2', force: true, options: ['-q'] }).run(ctx);
    expect(forced.changed).to.equal(true);
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', withFs.dev], { encoding: 'utf8' }).trim()).to.equal('ext2');
    expect((await filesystem({ device: withFs.dev, fstype: 'ext2' }).run(ctx)).changed).to.equal(false);
  });

  it('mount: mounts once, rerun no-op, records fstab only when asked, unmounts', async () => {
    const mnt = path.join(dir, 'data');
    const p = { path: mnt, src: withFs.dev, fstype: 'ext2', state: 'mounted' as const };
    try {
      expect((await mount(p).run(withCheck(ctx, true))).changed).to.equal(true);
      expect(execFileSync('sh', ['-c', `findmnt -n ${mnt}; echo rc=$?`], { encoding: 'utf8' }).trim()).to.equal('rc=1');
      expect((await mount(p).run(ctx)).msg).to.equal(`mount ${withFs.dev} on ${mnt}`);
      expect(execFileSync('findmnt', ['-n', '-o', 'SOURCE', mnt], { encoding: 'utf8' }).trim()).to.equal(withFs.dev);
      expect((await mount(p).run(ctx)).changed).to.equal(false);
      expect(await failure(mount({ ...p, src: blank.dev }).run(ctx))).to.equal(
        `${mnt} on localhost has ${withFs.dev} mounted, not ${blank.dev}; unmount it first (state: unmounted)`,
      );
      expect((await mount({ ...p, state: 'unmounted' }).run(ctx)).changed).to.equal(true);
      expect((await mount({ ...p, state: 'unmounted' }).run(ctx)).changed).to.equal(false);
    } finally {
      execFileSync('sh', ['-c', `umount ${mnt} 2>/dev/null; true`]);
    }
  });
});
