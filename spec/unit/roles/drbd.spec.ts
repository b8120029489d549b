// The drbd role through the engine on two scripted RHEL 8 hosts (spec/support/storage-hosts.ts: state kept
// as the real tools would, outputs recorded from them): the command sequence of a fresh pair, idempotence,
// --check, the guards (a disk with data, a host whose uname -n is not its inventory name), and a pair built by
// hand from the how-to (its vprotect.res gets the role's content, nothing else changes).
import { expect } from 'chai';
import type { Vars } from '../../../engine/dsl';
import { play, playbook } from '../../../engine/dsl';
import { drbd } from '../../../roles/drbd';
import { runFake, type FakeRun } from '../../support/fake-run';
import { BLKID, changes, HOWTO_RESOURCE_FILE, storagePair, type StorageHostSpec, type StoragePair } from '../../support/storage-hosts';

const site = playbook('drbd', [play({ name: 'replicated storage', hosts: 'cluster', become: true, roles: [drbd] })]);
const VARS: Vars = { preferred_node: 'vprotect1', drbd_enabled: true, drbd_disk: '/dev/sdb', drbd_connect_timeout: 1, vdo_enabled: false };
const RHEL8: StorageHostSpec = { rhel: 8 };

const fresh = (over: Partial<Record<'vprotect1' | 'vprotect2', StorageHostSpec>> = {}, vars: Vars = {}): StoragePair =>
  storagePair({ vprotect1: RHEL8, vprotect2: RHEL8, ...over }, { ...VARS, ...vars });

/** Changes on each host from op number `since` on (to look at one run of several). */
const changed = (pair: StoragePair, since: Readonly<Record<string, number>> = {}): Record<string, string[]> =>
  Object.fromEntries(['vprotect1', 'vprotect2'].map((n) => [n, changes(pair.hosts.get(n)!, since[n] ?? 0)]));
const opCount = (pair: StoragePair) => Object.fromEntries([...pair.hosts].map(([n, c]) => [n, c.ops.length]));
const failures = (r: FakeRun) => r.events.flatMap((e) => (e.type === 'result' && e.status === 'failed' ? [`${e.host}: ${e.task.name}: ${e.msg}`] : []));

const BOTH = ['dnf -y install -- kmod-drbd9x drbd9x-utils', 'mkdir -p -- /vprotect_data && chmod 0755 -- /vprotect_data', 'put /etc/drbd.d/replicate.res', 'drbdadm create-md replicate', 'drbdadm up replicate'];

describe('drbd role on a fresh RHEL 8 pair (scripted hosts)', () => {
  let pair: StoragePair;
  let first: FakeRun;

  before(async () => {
    pair = fresh();
    first = await runFake(site, pair);
  });

  it('installs, writes the resource file, creates metadata and brings it up on both; sync and mkfs on the preferred node only', () => {
    expect(failures(first)).to.deep.equal([]);
    expect(first.exitCode).to.equal(0);
    expect(changed(pair)).to.deep.equal({
      vprotect1: [
        ...BOTH,
        'drbdadm primary --force replicate',
        'mkfs.xfs -K /dev/drbd0',
        'mount /dev/drbd0 /vprotect_data && { chown vprotect\\:vprotect /vprotect_data; owned=$?; umount /vprotect_data && [ "$owned" -eq 0 ]; }',
      ],
      vprotect2: BOTH,
    });
  });

  it('creates metadata on both before either comes up, and forces the initial sync only once both are up', () => {
    const order = pair.timeline.filter((l) => /drbdadm (create-md|up|primary)/.test(l));
    expect(order.slice(0, 2).sort()).to.deep.equal(['vprotect1: drbdadm create-md replicate', 'vprotect2: drbdadm create-md replicate']);
    expect(order.slice(2, 4).sort()).to.deep.equal(['vprotect1: drbdadm up replicate', 'vprotect2: drbdadm up replicate']);
    expect(order.slice(4)).to.deep.equal(['vprotect1: drbdadm primary --force replicate']);
    expect(pair.state.get('vprotect1')).to.include({ role: 'Primary', disk: 'UpToDate' });
    expect(pair.state.get('vprotect2')).to.include({ role: 'Secondary', disk: 'Inconsistent' });
  });

  it('the same resource file on both, each node by its uname -n, /dev/drbd0 on /dev/sdb', () => {
    const [a, b] = ['vprotect1', 'vprotect2'].map((n) => pair.hosts.get(n)!.files.get('/etc/drbd.d/replicate.res')!.content.toString('utf8'));
    expect(a).to.equal(b);
    expect(a).to.contain('  on vprotect1 {\n    node-id 0;\n    device /dev/drbd0;\n    disk /dev/sdb;\n    address 10.40.1.50:7788;');
    expect(a).to.contain('  on vprotect2 {\n    node-id 1;\n    device /dev/drbd0;\n    disk /dev/sdb;\n    address 10.40.1.52:7788;');
  });

  it('a second run against the resulting state issues no changing command and reports changed=0', async () => {
    const since = opCount(pair);
    const again = await runFake(site, pair);
    expect(failures(again)).to.deep.equal([]);
    expect(changed(pair, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    expect(again.stats['vprotect1']).to.include({ changed: 0, failed: 0 });
    expect(again.stats['vprotect2']).to.include({ changed: 0, failed: 0 });
  });

  it('--check against the resulting state issues no changing command and reports changed=0', async () => {
    const since = opCount(pair);
    const check = await runFake(site, pair, { check: true });
    expect(failures(check)).to.deep.equal([]);
    expect(changed(pair, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    expect(check.stats['vprotect1']).to.include({ changed: 0, failed: 0 });
  });
});

describe('drbd role --check on a fresh pair', () => {
  it('changes nothing, reports the packages, mount point and resource file it would make, and skips what builds on them', async () => {
    const pair = fresh();
    const check = await runFake(site, pair, { check: true });
    expect(failures(check)).to.deep.equal([]);
    expect(changed(pair)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    expect(pair.state.get('vprotect1')).to.include({ md: false, up: false });
    const messages = check.events.flatMap((e) => (e.type === 'result' && e.host === 'vprotect1' && e.status === 'changed' ? [`${e.task.name}: ${e.msg}`] : []));
    expect(messages).to.deep.equal([
      'Install DRBD: would install kmod-drbd9x, drbd9x-utils',
      'Mount point for the replicated data: would set /vprotect_data state: absent -> directory, mode:  -> 0755',
      'DRBD resource file (validated by drbdadm before it is installed): would create /etc/drbd.d/replicate.res (drbdadm is not installed yet: checked on the real run)',
    ]);
    const skipped = check.results.filter((r) => r.startsWith('skipped vprotect1 ')).map((r) => r.slice('skipped vprotect1 '.length));
    expect(skipped).to.include.members(['DRBD metadata (refuses a disk that holds data unless drbd_force_create_md)', 'Bring the resource up, or a live one to its file', 'Initial sync from the preferred node']);
  });
});

describe('drbd role guards', () => {
  it('a backing disk holding a filesystem: create-md refuses, naming host, device and drbd_force_create_md; nothing is written to it', async () => {
    const pair = fresh({ vprotect2: { rhel: 8, diskSignature: BLKID.ext4 } });
    const r = await runFake(site, pair);
    expect(r.exitCode).to.equal(2);
    expect(failures(r)).to.include(
      'vprotect2: DRBD metadata (refuses a disk that holds data unless drbd_force_create_md): ' +
        'refusing to create DRBD metadata on /dev/sdb (resource replicate) on vprotect2: it holds an ext4 filesystem signature; ' +
        'create-md would destroy it. Wipe the disk yourself or set drbd_force_create_md: true',
    );
    expect(changed(pair)['vprotect2']!.filter((c) => c.startsWith('drbdadm'))).to.deep.equal([]);
    expect(pair.state.get('vprotect2')!.devices.get('/dev/sdb')).to.equal(BLKID.ext4);
    // the preferred node never forces a sync toward a peer that is not there
    expect(pair.timeline.filter((l) => l.includes('primary'))).to.deep.equal([]);
  });

  it('drbd_force_create_md: true writes the metadata over it (create-md --force)', async () => {
    const pair = fresh({ vprotect2: { rhel: 8, diskSignature: BLKID.ext4 } }, { drbd_force_create_md: true });
    const r = await runFake(site, pair);
    expect(failures(r)).to.deep.equal([]);
    expect(changed(pair)['vprotect2']).to.include('drbdadm create-md --force replicate');
  });

  it('a host whose uname -n is not its inventory name stops both nodes with the role\'s message before anything changes', async () => {
    const pair = fresh({ vprotect2: { rhel: 8, uname: 'vprotect2.example.com' } });
    const r = await runFake(site, pair);
    expect(r.exitCode).to.equal(2);
    const msg = "role drbd: host vprotect2 calls itself 'vprotect2.example.com' (uname -n); rename the inventory host or the machine so they agree";
    expect(failures(r)).to.deep.equal([`vprotect1: inventory name matches uname -n: ${msg}`, `vprotect2: inventory name matches uname -n: ${msg}`]);
    expect(changed(pair)).to.deep.equal({ vprotect1: [], vprotect2: [] });
  });
});

describe('drbd role on a pair built by hand from the how-to (vprotect.res, up, Primary on vprotect1, XFS)', () => {
  const handBuilt = (): StoragePair => fresh({ vprotect1: { rhel: 8, handBuilt: 'Primary' }, vprotect2: { rhel: 8, handBuilt: 'Secondary' } });
  const file = (pair: StoragePair, n: string, p: string): string | undefined => pair.hosts.get(n)!.files.get(p)?.content.toString('utf8');

  it('--check says it would write the role\'s content into vprotect.res and changes nothing', async () => {
    const pair = handBuilt();
    const check = await runFake(site, pair, { check: true });
    expect(failures(check)).to.deep.equal([]);
    expect(changed(pair)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    const messages = check.events.flatMap((e) => (e.type === 'result' && e.status === 'changed' ? [`${e.host}: ${e.msg}`] : []));
    const adopt = "resource replicate is defined in /etc/drbd.d/vprotect.res (made by hand): its content becomes the role's there; would update /etc/drbd.d/vprotect.res";
    const adjust = (state: string) => `replicate is up (${state}): would adjust it live to the new resource file (drbdadm adjust)`;
    expect(messages).to.deep.equal([`vprotect1: ${adopt}`, `vprotect2: ${adopt}`, `vprotect1: ${adjust('Primary, disk UpToDate')}`, `vprotect2: ${adjust('Secondary, disk UpToDate')}`]);
  });

  it('--check validates the content in the dialect of the host\'s module (DRBD 8.4 here, as on the lab): the version probe runs under --check too', async () => {
    const pair = fresh({ vprotect1: { rhel: 8, handBuilt: 'Primary', drbd84: true }, vprotect2: { rhel: 8, handBuilt: 'Secondary', drbd84: true } });
    const check = await runFake(site, pair, { check: true });
    expect(failures(check)).to.deep.equal([]);
    for (const n of ['vprotect1', 'vprotect2']) {
      const checked = pair.hosts.get(n)!.ops.flatMap((o) => (o.kind === 'put' && /^\/tmp\/\.drbd-check-[0-9a-f]+\.res$/.test(o.path) ? [o.content] : []));
      expect(checked, n).to.have.length(1);
      expect(checked[0], n).to.match(/ disk \{\n.*\n    fencing resource-only;/).and.contain('after-resync-target "/usr/lib/drbd/crm-unfence-peer.sh"').and.not.contain('node-id');
    }
    expect(changed(pair)).to.deep.equal({ vprotect1: [], vprotect2: [] });
  });

  it('writes the role\'s content into vprotect.res on both, no replicate.res, and adjusts the running resource to it, its data left alone; a rerun changes nothing', async () => {
    const pair = handBuilt();
    const first = await runFake(site, pair);
    expect(failures(first)).to.deep.equal([]);
    const adopted = ['put /etc/drbd.d/vprotect.res', 'drbdadm adjust replicate'];
    expect(changed(pair)).to.deep.equal({ vprotect1: adopted, vprotect2: adopted });
    for (const n of ['vprotect1', 'vprotect2']) {
      expect(file(pair, n, '/etc/drbd.d/vprotect.res')).to.not.equal(HOWTO_RESOURCE_FILE);
      expect(file(pair, n, '/etc/drbd.d/vprotect.res')).to.contain('# DRBD resource replicate: written by the drbd role');
      expect(file(pair, n, '/etc/drbd.d/replicate.res')).to.equal(undefined);
    }
    expect(pair.state.get('vprotect1')).to.include({ role: 'Primary', disk: 'UpToDate', up: true });
    expect(pair.state.get('vprotect2')).to.include({ role: 'Secondary', disk: 'UpToDate', up: true });
    expect(pair.state.get('vprotect1')!.devices.get('/dev/drbd0')).to.equal(BLKID.xfs);
    const since = opCount(pair);
    const again = await runFake(site, pair);
    expect(failures(again)).to.deep.equal([]);
    expect(changed(pair, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    expect(again.stats['vprotect1']).to.include({ changed: 0, failed: 0 });
  });
});
