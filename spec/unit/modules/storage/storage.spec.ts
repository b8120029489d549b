// filesystem, mount and vdo on fake hosts: guards, commands, second-run no-ops, check mode.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sh } from '../../../../engine/shell';
import type { FakeConnection } from '../../../support/fake-connection';
import { fakeFacts } from '../../../support/fake-connection';
import { filesystem, mount, vdo } from '../../../../modules/storage';
import { editFstab } from '../../../../modules/storage/mount';
import { parseVdoStatus } from '../../../../modules/storage/vdo';
import { fakeHost, moduleContext } from '../../../support/module-context';
import { failureMessage as failure } from '../../../support/failure';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../fixtures/storage', name), 'utf8');
const EXT4 = fixture('blkid-ext4.txt');

/** A device that exists, with blkid answering `blkid` (undefined: blank). */
function deviceHost(device: string, blkid: string | undefined, facts = fakeFacts('vprotect1')): FakeConnection {
  const h = fakeHost('vprotect1');
  h.facts = facts;
  h.on(sh`test -e ${device}`, { code: 0 });
  h.on(sh`blkid -p -o export ${device}`, blkid !== undefined ? { stdout: blkid } : { code: 2 });
  return h;
}
const changing = (h: FakeConnection): string[] => h.commands.filter((c) => !/^(test -e|blkid|findmnt|readlink|vdo (list|status)|lvs|pvs) /.test(c) && c !== 'vdo list --all');

describe('filesystem', () => {
  it('makes the filesystem on a blank device with the given options', async () => {
    const h = deviceHost('/dev/drbd0', undefined);
    h.on(/^mkfs\./, { code: 0 });
    const r = await filesystem({ device: '/dev/drbd0', fstype: 'xfs', options: ['-K'] }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: 'make xfs on /dev/drbd0' });
    expect(changing(h)).to.deep.equal(['mkfs.xfs -K /dev/drbd0']);
  });

  it('leaves the same type alone (second run), refuses another, reformats with force using mkfs\'s own flag', async () => {
    const same = deviceHost('/dev/drbd0', EXT4);
    expect((await filesystem({ device: '/dev/drbd0', fstype: 'ext4' }).run(moduleContext(same))).changed).to.equal(false);
    const other = deviceHost('/dev/drbd0', EXT4);
    other.on(/^mkfs\./, { code: 0 });
    expect(await failure(filesystem({ device: '/dev/drbd0', fstype: 'xfs' }).run(moduleContext(other)))).to.equal(
      'refusing to make xfs on /dev/drbd0 on vprotect1: it holds an ext4 filesystem signature; mkfs would destroy it. Set force: true to reformat',
    );
    // A role names the variable its user sets, not the module parameter.
    expect(await failure(filesystem({ device: '/dev/drbd0', fstype: 'xfs', forceVariable: 'data_force_mkfs' }).run(moduleContext(other)))).to.equal(
      'refusing to make xfs on /dev/drbd0 on vprotect1: it holds an ext4 filesystem signature; mkfs would destroy it. Set data_force_mkfs: true to reformat',
    );
    expect(changing(other)).to.deep.equal([]);
    await filesystem({ device: '/dev/drbd0', fstype: 'xfs', force: true }).run(moduleContext(other));
    expect(changing(other)).to.deep.equal(['mkfs.xfs -f /dev/drbd0']);
  });

  it('treats an ambivalent probe (several signatures) as data', async () => {
    const h = fakeHost('vprotect1');
    h.on('test -e /dev/sdb', { code: 0 });
    h.on('blkid -p -o export /dev/sdb', { code: 8, stderr: 'ambivalent result' });
    h.on('wipefs -n /dev/sdb', { stdout: 'DEVICE OFFSET TYPE UUID LABEL\nsdb    0x438  ext4\nsdb    0x0    xfs\n' });
    expect(await failure(filesystem({ device: '/dev/sdb', fstype: 'xfs' }).run(moduleContext(h)))).to.match(/it holds several signatures \(DEVICE OFFSET/);
  });

  it('under --check runs no mkfs; a missing device is named', async () => {
    const h = deviceHost('/dev/drbd0', undefined);
    expect((await filesystem({ device: '/dev/drbd0', fstype: 'xfs' }).run(moduleContext(h, { check: true }))).msg).to.equal('would make xfs on /dev/drbd0');
    expect(changing(h)).to.deep.equal([]);
    const none = fakeHost('vprotect1');
    none.on('test -e', { code: 1 });
    expect(await failure(filesystem({ device: '/dev/sdz', fstype: 'xfs' }).run(moduleContext(none)))).to.equal('/dev/sdz does not exist on vprotect1');
  });
});

describe('mount', () => {
  function mountHost(mounted: string | undefined): FakeConnection {
    const h = fakeHost('vprotect1');
    h.on(sh`findmnt -n -o SOURCE --mountpoint /vprotect_data`, mounted ? { stdout: `${mounted}\n` } : { code: 1 });
    h.on(/^readlink -f /, (cmd) => ({ stdout: cmd.replace('readlink -f ', '') + '\n' }));
    h.on(/^(mkdir -p|mount|umount) /, { code: 0 });
    return h;
  }
  const p = { path: '/vprotect_data', src: '/dev/drbd0', fstype: 'xfs', state: 'mounted' as const };

  it('mounts when not mounted, and is a no-op when it is (second run)', async () => {
    const h = mountHost(undefined);
    expect((await mount(p).run(moduleContext(h))).msg).to.equal('mount /dev/drbd0 on /vprotect_data');
    expect(changing(h)).to.deep.equal(['mkdir -p /vprotect_data', 'mount -t xfs /dev/drbd0 /vprotect_data']);
    const again = mountHost('/dev/drbd0');
    expect((await mount(p).run(moduleContext(again))).changed).to.equal(false);
    expect(changing(again)).to.deep.equal([]);
  });

  it('rejects the how-to\'s /dev/mapper/drbd0 before touching a host', () => {
    expect(() => mount({ ...p, src: '/dev/mapper/drbd0' }).preflight?.()).to.throw(
      'mount /vprotect_data: /dev/mapper/drbd0 is not a DRBD device path; did you mean /dev/drbd0?',
    );
  });

  it('refuses to mount over another device', async () => {
    expect(await failure(mount(p).run(moduleContext(mountHost('/dev/sdc1'))))).to.equal(
      '/vprotect_data on vprotect1 has /dev/sdc1 mounted, not /dev/drbd0; unmount it first (state: unmounted)',
    );
  });

  it('records fstab when asked, keeping other lines; absent unmounts and removes the line', async () => {
    const fstab = '# static\nUUID=abc / xfs defaults 0 0\n';
    const h = mountHost('/dev/drbd0').file('/etc/fstab', fstab);
    const r = await mount({ ...p, fstab: true }).run(moduleContext(h, { diff: true }));
    expect(r.msg).to.equal('record /vprotect_data in /etc/fstab');
    expect(h.files.get('/etc/fstab')?.content.toString()).to.equal(fstab + '/dev/drbd0 /vprotect_data xfs defaults 0 0\n');
    expect((await mount({ ...p, fstab: true }).run(moduleContext(h))).changed).to.equal(false);
    const gone = await mount({ path: '/vprotect_data', state: 'absent' }).run(moduleContext(h));
    expect(gone.msg).to.equal('unmount /dev/drbd0 from /vprotect_data, remove /vprotect_data from /etc/fstab');
    expect(h.files.get('/etc/fstab')?.content.toString()).to.equal(fstab);
    expect(changing(h)).to.deep.equal(['umount /vprotect_data']);
  });

  it('edits fstab lines precisely', () => {
    expect(editFstab('a / xfs d 0 0\nb /x xfs d 0 0\nc /x xfs d 0 0\n', '/x', 'n /x xfs d 0 0')).to.equal('a / xfs d 0 0\nn /x xfs d 0 0\n');
    expect(editFstab('# /x comment\n', '/x', undefined)).to.equal('# /x comment\n');
  });

  it('under --check mounts nothing', async () => {
    const h = mountHost(undefined);
    expect((await mount(p).run(moduleContext(h, { check: true }))).changed).to.equal(true);
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('vdo', () => {
  const rhel8 = fakeFacts('vprotect1', { os: { id: 'rhel', versionId: '8.9', major: 8, family: 'RedHat' }, pkgMgr: 'dnf' });
  const rhel9 = fakeFacts('vprotect1', { os: { id: 'rhel', versionId: '9.3', major: 9, family: 'RedHat' }, pkgMgr: 'dnf' });
  const p = { name: 'vdo_data', device: '/dev/drbd0', logicalSize: '400G', compression: true, deduplication: true };

  it('reads the vdo manager\'s status', () => {
    const s = parseVdoStatus(fixture('vdo-status-rhel8.txt'), 'vdo_data');
    expect(s?.get('Compression')).to.equal('disabled');
    expect(s?.get('Storage device')).to.equal('/dev/drbd0');
  });

  it('RHEL 8: `vdo create` on a blank device, as the how-to does', async () => {
    const h = deviceHost('/dev/drbd0', undefined, rhel8);
    h.on('vdo list --all', { stdout: '' });
    h.on(/^vdo create /, { code: 0 });
    const r = await vdo(p).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, volume: '/dev/mapper/vdo_data', implementation: 'manager' });
    expect(changing(h)).to.deep.equal([
      sh`vdo create ${['--name=vdo_data', '--device=/dev/drbd0', '--vdoLogicalSize=400G', '--compression=enabled', '--deduplication=enabled']}`,
    ]);
  });

  it('RHEL 8: an existing volume only gets differing settings switched (compression here)', async () => {
    const h = deviceHost('/dev/drbd0', undefined, rhel8);
    h.on('vdo list --all', { stdout: 'vdo_data\n' });
    h.on(sh`vdo status --name=vdo_data`, { stdout: fixture('vdo-status-rhel8.txt') });
    h.on(/^vdo enableCompression/, { code: 0 });
    const r = await vdo(p).run(moduleContext(h));
    expect(r.msg).to.equal('enable compression');
    expect(changing(h)).to.deep.equal([sh`vdo enableCompression --name=vdo_data`]);
    const same = deviceHost('/dev/drbd0', undefined, rhel8);
    same.on('vdo list --all', { stdout: 'vdo_data\n' });
    same.on(sh`vdo status --name=vdo_data`, { stdout: fixture('vdo-status-rhel8.txt') });
    expect((await vdo({ ...p, compression: false }).run(moduleContext(same))).changed).to.equal(false);
  });

  it('refuses a device with a filesystem unless force, naming host, device and parameter', async () => {
    const h = deviceHost('/dev/drbd0', EXT4, rhel8);
    h.on('vdo list --all', { stdout: '' });
    expect(await failure(vdo(p).run(moduleContext(h)))).to.equal(
      'refusing to create VDO volume vdo_data on /dev/drbd0 on vprotect1: it holds an ext4 filesystem signature; creating the volume would destroy it. Set force: true to overwrite',
    );
    expect(await failure(vdo({ ...p, forceVariable: 'vdo_force' }).run(moduleContext(h)))).to.equal(
      'refusing to create VDO volume vdo_data on /dev/drbd0 on vprotect1: it holds an ext4 filesystem signature; creating the volume would destroy it. Set vdo_force: true to overwrite',
    );
    expect(changing(h)).to.deep.equal([]);
    h.on(/^vdo create /, { code: 0 });
    await vdo({ ...p, force: true }).run(moduleContext(h));
    expect(changing(h)[0]).to.contain(' --force');
  });

  it('RHEL 9: LVM-VDO (pvcreate, vgcreate, lvcreate --type vdo); an existing LV is a no-op', async () => {
    const h = deviceHost('/dev/drbd0', undefined, rhel9);
    h.on(/^lvs /, { code: 5, stderr: '  Volume group "vg_vdo_data" not found\n' });
    h.on(/^(pvcreate|vgcreate|lvcreate) /, { code: 0 });
    const r = await vdo(p).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, volume: '/dev/vg_vdo_data/vdo_data', implementation: 'lvm' });
    expect(changing(h)).to.deep.equal([
      'pvcreate /dev/drbd0',
      'vgcreate vg_vdo_data /dev/drbd0',
      sh`lvcreate ${['--type', 'vdo', '--name', 'vdo_data', '--extents', '100%FREE', '--virtualsize', '400G', '--compression', 'y', '--deduplication', 'y', 'vg_vdo_data/vdo_data_pool']}`,
    ]);
    const done = deviceHost('/dev/drbd0', undefined, rhel9);
    done.on(/^lvs /, { stdout: '  vdo_data|vdo||\n  vdo_data_pool|vdo-pool|enabled|enabled\n' });
    expect((await vdo(p).run(moduleContext(done))).changed).to.equal(false);
    expect(changing(done)).to.deep.equal([]);
  });

  it('RHEL 9: refuses a physical volume of another volume group', async () => {
    const h = deviceHost('/dev/drbd0', 'TYPE=LVM2_member\nUSAGE=raid\n', rhel9);
    h.on(/^lvs /, { code: 5 });
    h.on(sh`pvs --noheadings -o vg_name /dev/drbd0`, { stdout: '  vg_other\n' });
    expect(await failure(vdo(p).run(moduleContext(h)))).to.match(/it holds an LVM physical volume of volume group vg_other;/);
  });

  it('under --check creates nothing', async () => {
    const h = deviceHost('/dev/drbd0', undefined, rhel8);
    h.on('vdo list --all', { stdout: '' });
    expect((await vdo(p).run(moduleContext(h, { check: true }))).msg).to.equal('would create VDO vdo_data on /dev/drbd0');
    expect(changing(h)).to.deep.equal([]);
  });
});
