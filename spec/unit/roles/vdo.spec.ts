// The vdo role after the drbd role, as site.ts runs them, on two scripted RHEL hosts (spec/support/storage-hosts.ts):
// RHEL 8 uses the vdo manager (volume on /dev/drbd0, XFS on /dev/mapper/vdo_data, /etc/vdoconf.yml copied to the
// peer, the vdo unit left to the cluster); RHEL 9 has no manager: LVM-VDO. Reruns and --check change nothing;
// a DRBD device that already holds a filesystem is refused, naming vdo_force.
import { expect } from 'chai';
import type { Vars } from '../../../engine/dsl';
import { play, playbook } from '../../../engine/dsl';
import { drbd } from '../../../roles/drbd';
import { vdoRole } from '../../../roles/vdo';
import { runFake, type FakeRun } from '../../support/fake-run';
import { BLKID, changes, storagePair, type StoragePair } from '../../support/storage-hosts';

const storage = playbook('storage', [play({ name: 'replicated, deduplicated storage', hosts: 'cluster', become: true, roles: [drbd, vdoRole] })]);
const VARS: Vars = { preferred_node: 'vprotect1', drbd_enabled: true, drbd_disk: '/dev/sdb', drbd_connect_timeout: 1, vdo_enabled: true, vdo_logical_size: '400G' };

const changed = (pair: StoragePair, since: Readonly<Record<string, number>> = {}): Record<string, string[]> =>
  Object.fromEntries(['vprotect1', 'vprotect2'].map((n) => [n, changes(pair.hosts.get(n)!, since[n] ?? 0)]));
const opCount = (pair: StoragePair) => Object.fromEntries([...pair.hosts].map(([n, c]) => [n, c.ops.length]));
const failures = (r: FakeRun) => r.events.flatMap((e) => (e.type === 'result' && e.status === 'failed' ? [`${e.host}: ${e.task.name}: ${e.msg}`] : []));

const DRBD_BOTH = [
  'dnf -y install -- kmod-drbd9x drbd9x-utils',
  'mkdir -p -- /vprotect_data && chmod 0755 -- /vprotect_data',
  'put /etc/drbd.d/replicate.res',
  'drbdadm create-md replicate',
  'drbdadm up replicate',
];
const own = (dev: string) => `mount ${dev} /vprotect_data && { chown vprotect\\:vprotect /vprotect_data; owned=$?; umount /vprotect_data && [ "$owned" -eq 0 ]; }`;

/** A rerun and a --check run against the state `pair` is in: neither issues a changing command. */
function convergedChecks(get: () => StoragePair): void {
  it('a second run against the resulting state issues no changing command and reports changed=0', async () => {
    const pair = get();
    const since = opCount(pair);
    const again = await runFake(storage, pair);
    expect(failures(again)).to.deep.equal([]);
    expect(changed(pair, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    for (const n of ['vprotect1', 'vprotect2']) expect(again.stats[n]).to.include({ changed: 0, failed: 0 });
  });

  it('--check against it issues no changing command and reports changed=0', async () => {
    const pair = get();
    const since = opCount(pair);
    const check = await runFake(storage, pair, { check: true });
    expect(failures(check)).to.deep.equal([]);
    expect(changed(pair, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    for (const n of ['vprotect1', 'vprotect2']) expect(check.stats[n]).to.include({ changed: 0, failed: 0 });
  });
}

describe('vdo role on RHEL 8 (the vdo manager), after drbd on a fresh pair', () => {
  let pair: StoragePair;
  let first: FakeRun;

  before(async () => {
    pair = storagePair({ vprotect1: { rhel: 8 }, vprotect2: { rhel: 8 } }, VARS);
    first = await runFake(storage, pair);
  });

  it('creates the volume on /dev/drbd0 and XFS on /dev/mapper/vdo_data on the preferred node; copies vdoconf.yml; disables the vdo unit on both', () => {
    expect(failures(first)).to.deep.equal([]);
    expect(changed(pair)).to.deep.equal({
      vprotect1: [
        ...DRBD_BOTH,
        'drbdadm primary --force replicate',
        'dnf -y install -- vdo kmod-kvdo',
        'vdo create --name\\=vdo_data --device\\=/dev/drbd0 --vdoLogicalSize\\=400G --compression\\=enabled --deduplication\\=enabled',
        'mkfs.xfs -K /dev/mapper/vdo_data',
        own('/dev/mapper/vdo_data'),
        'systemctl disable -- vdo',
      ],
      vprotect2: [...DRBD_BOTH, 'dnf -y install -- vdo kmod-kvdo', 'put /etc/vdoconf.yml', 'systemctl disable -- vdo'],
    });
  });

  it('no filesystem on /dev/drbd0 itself: VDO sits on it; the peer gets the preferred node\'s vdoconf.yml as it is', () => {
    expect(changed(pair)['vprotect1']!.filter((c) => c.includes('mkfs') && c.endsWith('/dev/drbd0'))).to.deep.equal([]);
    const conf = (n: string) => pair.hosts.get(n)!.files.get('/etc/vdoconf.yml');
    expect(conf('vprotect2')?.content.toString('utf8')).to.equal(conf('vprotect1')?.content.toString('utf8'));
    expect(conf('vprotect2')?.mode).to.equal(0o644);
    expect(conf('vprotect1')?.content.toString('utf8')).to.contain('device: /dev/drbd0');
  });

  convergedChecks(() => pair);

  it('with the data on vprotect2 (the cluster moved it there), a rerun makes no volume and no filesystem on the preferred node, and changes nothing', async () => {
    // The volume runs where the cluster started it: vprotect1, Secondary, has no /dev/mapper/vdo_data now.
    const moved = storagePair({ vprotect1: { rhel: 8 }, vprotect2: { rhel: 8 } }, VARS);
    expect(failures(await runFake(storage, moved))).to.deep.equal([]);
    const [v1, v2] = [moved.state.get('vprotect1')!, moved.state.get('vprotect2')!];
    v1.role = 'Secondary';
    v2.role = 'Primary';
    v2.devices.set('/dev/mapper/vdo_data', v1.devices.get('/dev/mapper/vdo_data')!);
    v1.devices.delete('/dev/mapper/vdo_data');
    const since = opCount(moved);
    const r = await runFake(storage, moved);
    expect(failures(r)).to.deep.equal([]);
    expect(changed(moved, since)).to.deep.equal({ vprotect1: [], vprotect2: [] });
    for (const task of ['VDO volume on the DRBD device (refuses a device with data unless vdo_force)', 'Filesystem on the VDO volume (refuses an existing one unless data_force_mkfs)']) {
      expect(r.results).to.include(`skipped vprotect1 ${task}`);
    }
  });
});

describe('vdo role on RHEL 9 (LVM-VDO), after drbd on a fresh pair', () => {
  let pair: StoragePair;
  let first: FakeRun;

  before(async () => {
    pair = storagePair({ vprotect1: { rhel: 9 }, vprotect2: { rhel: 9 } }, VARS);
    first = await runFake(storage, pair);
  });

  it('makes /dev/drbd0 a PV of vg_vdo_data with a VDO LV and XFS on it, on the preferred node only; no vdo manager, no vdoconf', () => {
    expect(failures(first)).to.deep.equal([]);
    expect(changed(pair)).to.deep.equal({
      vprotect1: [
        ...DRBD_BOTH,
        'drbdadm primary --force replicate',
        'pvcreate /dev/drbd0',
        'vgcreate vg_vdo_data /dev/drbd0',
        'lvcreate --type vdo --name vdo_data --extents 100%FREE --virtualsize 400G --compression y --deduplication y vg_vdo_data/vdo_data_pool',
        'mkfs.xfs -K /dev/vg_vdo_data/vdo_data',
        own('/dev/vg_vdo_data/vdo_data'),
      ],
      vprotect2: DRBD_BOTH,
    });
    expect(pair.hosts.get('vprotect2')!.files.has('/etc/vdoconf.yml')).to.equal(false);
  });

  convergedChecks(() => pair);
});

describe('drbd and vdo roles --check on a fresh pair', () => {
  for (const rhel of [8, 9] as const) {
    it(`RHEL ${rhel}: no failure and no changing command; the volume steps wait for the real run`, async () => {
      const pair = storagePair({ vprotect1: { rhel }, vprotect2: { rhel } }, VARS);
      const check = await runFake(storage, pair, { check: true });
      expect(failures(check)).to.deep.equal([]);
      expect(changed(pair)).to.deep.equal({ vprotect1: [], vprotect2: [] });
      expect(check.results).to.include('skipped vprotect1 VDO volume on the DRBD device (refuses a device with data unless vdo_force)');
    });
  }
});

describe('vdo role guard', () => {
  it('a DRBD device that already holds a filesystem (DRBD set up before without VDO): refused, naming host, device and vdo_force', async () => {
    const pair = storagePair({ vprotect1: { rhel: 8 }, vprotect2: { rhel: 8 } }, { ...VARS, vdo_enabled: false });
    expect(failures(await runFake(storage, pair))).to.deep.equal([]);
    expect(pair.state.get('vprotect1')!.devices.get('/dev/drbd0')).to.equal(BLKID.xfs);

    const since = opCount(pair);
    const r = await runFake(storage, pair, { extraVars: { vdo_enabled: true } });
    expect(r.exitCode).to.equal(2);
    expect(failures(r)).to.deep.equal([
      'vprotect1: VDO volume on the DRBD device (refuses a device with data unless vdo_force): refusing to create VDO volume vdo_data on ' +
        '/dev/drbd0 on vprotect1: it holds an xfs filesystem signature; creating the volume would destroy it. Set vdo_force: true to overwrite',
      // the peer then finds no configuration to copy: it stops too
      'vprotect2: Copy the VDO configuration to the peer: /etc/vdoconf.yml on vprotect1 does not exist',
    ]);
    expect(changed(pair, since)['vprotect1']!.filter((c) => /^(vdo create|mkfs)/.test(c))).to.deep.equal([]);
    expect(pair.state.get('vprotect1')!.devices.get('/dev/drbd0')).to.equal(BLKID.xfs);
  });
});
