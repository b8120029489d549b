// DRBD modules on fake hosts: status parsing, up, primary's --force guard, create-md's guard, resource file.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sh } from '../../../../engine/shell';
import type { FakeConnection } from '../../../support/fake-connection';
import { drbdMd, drbdPrimary, drbdResource, drbdStatus, drbdUp } from '../../../../modules/drbd';
import { braceProblem } from '../../../../modules/drbd/resource';
import { parseStatusJson, parseStatusText } from '../../../../modules/drbd/status';
import { fakeHost, moduleContext } from '../../../support/module-context';
import { isConfigScan, serveConfigScan } from '../../../support/drbd-config-fake';
import { failureMessage as failure } from '../../../support/failure';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../fixtures', name), 'utf8');
const INITIAL = fixture('drbd/status-84-initial.txt');
const SYNCING = fixture('drbd/status-84-syncing.txt');
const CONNECTING = fixture('drbd/status-9-connecting.txt');
const JSON9 = fixture('drbd/status-9-established.json');
const STANDALONE = fixture('drbd/status-84-standalone.txt');
/** `drbdadm -d adjust`: the how-to's resource live, the role's file written (recorded on the lab, DRBD 8.4). */
const ADJUST = fixture('drbd/adjust-dry-run-84.txt');
/** The same on a StandAlone resource (recorded on the lab after `drbdadm disconnect`). */
const ADJUST_CONNECT = fixture('drbd/adjust-dry-run-84-standalone.txt');

/** A host whose drbdsetup has no --json (DRBD 8.4) and prints `text`, or reports the resource down. */
function drbdHost(text: string | undefined, opts: { json?: string } = {}): FakeConnection {
  const h = fakeHost('vprotect1');
  h.on(/^drbdsetup status replicate --json$/, opts.json !== undefined ? { stdout: opts.json } : { code: 20, stderr: "drbdsetup: unrecognized option '--json'\n" });
  h.on(/^drbdsetup status replicate$/, text !== undefined ? { stdout: text } : { code: 10, stderr: 'replicate: No such resource\n' });
  h.on(/^drbdadm (up|primary)/, { code: 0 });
  return h;
}
const changing = (h: FakeConnection): string[] => h.commands.filter((c) => !/^drbdsetup status|^drbdadm (sh-ll-dev|dump-md|-d adjust)|^blkid|^test -e|^cmp -s/.test(c));

describe('drbd status', () => {
  it('reads the how-to\'s DRBD 8.4 text output', () => {
    expect(parseStatusText(INITIAL, 'replicate')).to.deep.equal({
      resource: 'replicate', role: 'Secondary', diskState: 'Inconsistent',
      peers: [{ name: 'peer', connection: 'Connected', role: 'Secondary', diskState: 'Inconsistent', replication: 'Established' }],
    });
    expect(parseStatusText(SYNCING, 'replicate')?.peers[0]).to.deep.equal({
      name: 'peer', connection: 'Connected', role: 'Secondary', diskState: 'Inconsistent', replication: 'SyncSource', done: 0.22,
    });
    expect(parseStatusText(CONNECTING, 'replicate')?.peers).to.deep.equal([
      { name: 'vprotect2', connection: 'Connecting', role: 'Unknown', diskState: 'DUnknown', replication: 'Off' },
    ]);
    expect(parseStatusText(INITIAL, 'other')).to.equal(undefined);
  });

  it('reads DRBD 9 JSON', () => {
    expect(parseStatusJson(JSON9, 'replicate')).to.deep.equal({
      resource: 'replicate', role: 'Secondary', diskState: 'UpToDate',
      peers: [{ name: 'vprotect2', connection: 'Connected', role: 'Primary', diskState: 'UpToDate', replication: 'Established' }],
    });
  });

  it('drbd_status reports facts, JSON first, text when --json is unknown, down when no such resource', async () => {
    const nine = await drbdStatus({ resource: 'replicate' }).run(moduleContext(drbdHost(undefined, { json: JSON9 })));
    expect(nine).to.deep.include({ changed: false, up: true, msg: 'Secondary/UpToDate; vprotect2 Primary/UpToDate Established' });
    const eight = await drbdStatus({ resource: 'replicate' }).run(moduleContext(drbdHost(SYNCING)));
    expect(eight.msg).to.equal('Primary/UpToDate; peer Secondary/Inconsistent SyncSource 0.22%');
    const down = await drbdStatus({ resource: 'replicate' }).run(moduleContext(drbdHost(undefined)));
    expect(down).to.deep.include({ up: false, msg: 'replicate is down' });
  });

  it('says so when the kernel module is missing (recorded drbd-utils 9 output)', async () => {
    const h = fakeHost('vprotect1');
    h.on('drbdsetup status', { code: 20, stderr: 'sh: 1: /sbin/modprobe: not found\nFailed to modprobe drbd (No such file or directory)\n' });
    expect(await failure(drbdStatus({ resource: 'replicate' }).run(moduleContext(h)))).to.equal(
      'the drbd kernel module is not available on vprotect1 (Failed to modprobe drbd (No such file or directory)): ' +
        'install the DRBD kernel module package (e.g. kmod-drbd84 or kmod-drbd9x)',
    );
  });
});

describe('drbd_up', () => {
  it('brings a down resource up, once', async () => {
    const h = drbdHost(undefined);
    h.on(/^drbdsetup status replicate$/, { stdout: INITIAL }, Infinity);
    h.on(/^drbdsetup status replicate$/, { code: 10, stderr: 'replicate: No such resource\n' }, 1);
    const r = await drbdUp({ resource: 'replicate' }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: 'brought replicate up' });
    expect(r.status?.diskState).to.equal('Inconsistent');
    expect(changing(h)).to.deep.equal(['drbdadm up replicate']);
    h.on(/^drbdadm -d adjust replicate$/, { stdout: '' });
    const again = await drbdUp({ resource: 'replicate' }).run(moduleContext(h));
    expect(again).to.deep.include({ changed: false, msg: "replicate is up (Secondary, disk Inconsistent) with its file's settings" });
    expect(changing(h)).to.deep.equal(['drbdadm up replicate']);
  });

  it('adjusts a live resource whose file differs (what the dry run lists), and only then', async () => {
    const h = drbdHost(SYNCING);
    h.on(/^drbdadm -d adjust replicate$/, { stdout: ADJUST });
    h.on(/^drbdadm adjust replicate$/, { code: 0 });
    const r = await drbdUp({ resource: 'replicate' }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: `adjusted replicate live to its file: ${ADJUST.trim().split('\n').join('; ')}` });
    expect(changing(h)).to.deep.equal(['drbdadm adjust replicate']);
  });

  it('under --check lists what adjust would run, or, while the file itself would change, says it would adjust', async () => {
    const h = drbdHost(SYNCING);
    h.on(/^drbdadm -d adjust replicate$/, { stdout: ADJUST });
    const r = await drbdUp({ resource: 'replicate' }).run(moduleContext(h, { check: true }));
    expect(r.msg).to.equal(`would adjust replicate live to its file: ${ADJUST.trim().split('\n').join('; ')}`);
    const pending = await drbdUp({ resource: 'replicate', fileChanging: true }).run(moduleContext(h, { check: true }));
    expect(pending.msg).to.equal('replicate is up (Primary, disk UpToDate): would adjust it live to the new resource file (drbdadm adjust)');
    expect(changing(h)).to.deep.equal([]);
  });

  it('refuses to adjust a StandAlone resource when adjust would connect it: connecting is the operator\'s call', async () => {
    const h = drbdHost(STANDALONE);
    h.on(/^drbdadm -d adjust replicate$/, { stdout: ADJUST_CONNECT });
    expect(await failure(drbdUp({ resource: 'replicate' }).run(moduleContext(h)))).to.equal(
      `replicate on vprotect1 is StandAlone and differs from its resource file: drbdadm adjust would connect it (${ADJUST_CONNECT.trim().split('\n').join('; ')}). ` +
        'Not changed: connect it yourself (drbdadm connect replicate, after reading `drbdadm status` on both nodes), then run again',
    );
    expect(changing(h)).to.deep.equal([]);
  });

  it('under --check runs nothing', async () => {
    const h = drbdHost(undefined);
    expect((await drbdUp({ resource: 'replicate', config: '/root/r.res' }).run(moduleContext(h, { check: true }))).msg).to.equal('would bring replicate up');
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('drbd_primary', () => {
  it('forces Primary for the initial sync only when both disks are Inconsistent and connected', async () => {
    const h = drbdHost(INITIAL);
    const r = await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, forced: true, msg: 'force replicate Primary for the initial sync' });
    expect(changing(h)).to.deep.equal(['drbdadm primary --force replicate']);
  });

  it('waits while the connected peer\'s disk is not reported yet (DRBD 8.4 right after up), then forces the initial sync', async () => {
    const h = drbdHost(INITIAL);
    // Later rules win: the handshake's first answer once, then the settled one.
    h.on(/^drbdsetup status replicate$/, { stdout: INITIAL.replace('peer-disk:Inconsistent', 'peer-disk:DUnknown') }, 1);
    const r = await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, forced: true });
    // the first read, the settled one, and the read after the promotion
    expect(h.commands.filter((c) => c === 'drbdsetup status replicate')).to.have.length(3);
    expect(changing(h)).to.deep.equal(['drbdadm primary --force replicate']);
  });

  it('is a no-op on a Primary (second run)', async () => {
    const h = drbdHost(SYNCING);
    expect((await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h))).changed).to.equal(false);
    expect(changing(h)).to.deep.equal([]);
  });

  it('uses plain `primary` when the local data is UpToDate', async () => {
    const h = drbdHost(undefined, { json: JSON9.replace('"peer-role": "Primary"', '"peer-role": "Secondary"') });
    const r = await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h));
    expect(r.forced).to.equal(false);
    expect(changing(h)).to.deep.equal(['drbdadm primary replicate']);
  });

  it('promotes nothing while the connected peer is Primary (the cluster runs the data there after a fail-over), and says so', async () => {
    const h = drbdHost(undefined, { json: JSON9 }); // vprotect1 Secondary, vprotect2 Primary, both UpToDate
    const r = await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: false, forced: false, peerPrimary: 'vprotect2', msg: 'vprotect2 is Primary (where the cluster runs the data): nothing to promote on vprotect1' });
    expect(changing(h)).to.deep.equal([]);
  });

  it('refuses --force when a peer holds UpToDate data, naming it', async () => {
    const local = JSON9.replace('"disk-state": "UpToDate"', '"disk-state": "Inconsistent"').replace('"peer-role": "Primary"', '"peer-role": "Secondary"');
    const h = drbdHost(undefined, { json: local });
    expect(await failure(drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h)))).to.equal(
      "refusing `drbdadm primary --force replicate` on vprotect1: it is only for the initial sync, when this disk and every connected peer's " +
        'are Inconsistent; here disk Inconsistent, peers: vprotect2 Connected/UpToDate (vprotect2 has UpToDate data that --force would overwrite)',
    );
    expect(changing(h)).to.deep.equal([]);
  });

  it('refuses --force while the peer is not connected, and needs initialSync for Inconsistent data at all', async () => {
    const lonely = 'replicate role:Secondary\n  disk:Inconsistent\n  vprotect2 connection:Connecting\n';
    const r = drbdPrimary({ resource: 'replicate', initialSync: true, connectTimeoutSeconds: 1 });
    expect(await failure(r.run(moduleContext(drbdHost(lonely))))).to.match(
      /^refusing `drbdadm primary --force replicate` on vprotect1: .*peers: vprotect2 Connecting\/DUnknown$/,
    );
    expect(await failure(drbdPrimary({ resource: 'replicate' }).run(moduleContext(drbdHost(INITIAL))))).to.equal(
      'replicate on vprotect1 has disk Inconsistent (peers: peer Connected/Inconsistent); becoming Primary needs up-to-date data. ' +
        'For the initial sync of a new resource set initialSync: true',
    );
  });

  it('under --check runs nothing', async () => {
    const h = drbdHost(INITIAL);
    expect((await drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h, { check: true }))).msg).to.equal(
      'would force replicate Primary for the initial sync',
    );
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('drbd_md', () => {
  function mdHost(opts: { metadata: boolean; blkid?: string; createOk?: boolean; leftover?: boolean }): FakeConnection {
    const h = fakeHost('vprotect1');
    h.on('drbdadm sh-ll-dev replicate', { stdout: '/dev/sdb\n' });
    h.on('drbdadm dump-md replicate', opts.metadata ? { stdout: '# DRBD meta data dump\n' } : { code: 1, stderr: 'No valid meta data found\n' });
    h.on(sh`test -e /dev/sdb`, { code: 0 });
    h.on(sh`blkid -p -o export /dev/sdb`, opts.blkid !== undefined ? { stdout: opts.blkid } : { code: 2 });
    h.on(sh`cmp -s -n 69632 -- /dev/sdb /dev/zero`, { code: opts.leftover ? 1 : 0 });
    h.on(/^drbdadm create-md/, { code: 0, stdout: 'New drbd meta data block successfully created.\n' });
    return h;
  }

  it('creates metadata on a blank disk, with stdin closed so a prompt aborts instead of hanging', async () => {
    const h = mdHost({ metadata: false });
    const r = await drbdMd({ resource: 'replicate' }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, disk: '/dev/sdb' });
    expect(changing(h)).to.deep.equal(['drbdadm create-md replicate']);
    const op = h.ops.find((o) => o.kind === 'exec' && o.cmd === 'drbdadm create-md replicate');
    expect(op?.kind === 'exec' && op.opts.stdin).to.equal('');
  });

  it('is a no-op when metadata exists, even though the disk shows the filesystem made on top (second run)', async () => {
    const h = mdHost({ metadata: true, blkid: fixture('storage/blkid-ext4.txt') });
    expect(await drbdMd({ resource: 'replicate' }).run(moduleContext(h))).to.deep.include({ changed: false, msg: 'DRBD metadata present on /dev/sdb' });
    expect(changing(h)).to.deep.equal([]);
  });

  it('refuses a disk with a filesystem, naming host, device and parameter; force overrides', async () => {
    const h = mdHost({ metadata: false, blkid: fixture('storage/blkid-ext4.txt') });
    expect(await failure(drbdMd({ resource: 'replicate' }).run(moduleContext(h)))).to.equal(
      'refusing to create DRBD metadata on /dev/sdb (resource replicate) on vprotect1: it holds an ext4 filesystem signature; ' +
        'create-md would destroy it. Wipe the disk yourself or set force: true',
    );
    // A role names the variable its user sets, not the module parameter.
    expect(await failure(drbdMd({ resource: 'replicate', forceVariable: 'drbd_force_create_md' }).run(moduleContext(h)))).to.equal(
      'refusing to create DRBD metadata on /dev/sdb (resource replicate) on vprotect1: it holds an ext4 filesystem signature; ' +
        'create-md would destroy it. Wipe the disk yourself or set drbd_force_create_md: true',
    );
    expect(changing(h)).to.deep.equal([]);
    await drbdMd({ resource: 'replicate', force: true }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal(['drbdadm create-md --force replicate']);
  });

  it('refuses a disk whose signature is gone but whose first 68 KiB are not zero (drbdmeta would ask); force overrides', async () => {
    const h = mdHost({ metadata: false, leftover: true });
    expect(await failure(drbdMd({ resource: 'replicate', forceVariable: 'drbd_force_create_md' }).run(moduleContext(h)))).to.equal(
      'refusing to create DRBD metadata on /dev/sdb (resource replicate) on vprotect1: its first 68 KiB are not zero ' +
        "though no signature is left (a wiped filesystem's remains, or raw data); create-md would overwrite it. " +
        'Zero them yourself (dd if=/dev/zero of=/dev/sdb bs=1M count=1) or set drbd_force_create_md: true',
    );
    expect(changing(h)).to.deep.equal([]);
    const r = await drbdMd({ resource: 'replicate', force: true }).run(moduleContext(h));
    expect(r.msg).to.equal('create DRBD metadata on /dev/sdb over data with no signature (force)');
    expect(changing(h)).to.deep.equal(['drbdadm create-md --force replicate']);
  });

  it('under --check creates nothing', async () => {
    const h = mdHost({ metadata: false });
    expect((await drbdMd({ resource: 'replicate' }).run(moduleContext(h, { check: true }))).msg).to.equal('would create DRBD metadata on /dev/sdb');
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('drbd_resource', () => {
  const content = 'resource replicate {\n  protocol C;\n  on vprotect1 { node-id 0; device /dev/drbd0; disk /dev/sdb; address 10.40.1.50:7788; meta-disk internal; }\n}\n';
  function resHost(current?: string, dumpOk = true): FakeConnection {
    const h = serveConfigScan(fakeHost('vprotect1'));
    if (current !== undefined) h.file('/etc/drbd.d/replicate.res', current);
    h.on(/^drbdadm -c \/tmp\/\.drbd-check-[0-9a-f]{12}\.conf dump replicate$/, dumpOk ? { stdout: content } : { code: 10, stderr: "x.res:2: Parse error: 'protocol | on' expected,\n" });
    h.on(/^rm -f -- \/tmp\/\.drbd-check-/, { code: 0 });
    return h;
  }
  const SCAN = 'scan of /etc/drbd.d';
  const commands = (h: FakeConnection): string[] => h.commands.map((c) => (isConfigScan(c) ? SCAN : c.replace(/[0-9a-f]{12}/g, 'X')));
  /** The configuration drbdadm checked the new file in. */
  const checkedConfig = (h: FakeConnection): string | undefined => {
    const op = h.ops.find((o) => o.kind === 'put' && o.path.endsWith('.conf'));
    return op?.kind === 'put' ? op.content.replace(/[0-9a-f]{12}/g, 'X') : undefined;
  };

  it('validates the new file with drbdadm on the host, then installs it', async () => {
    const h = resHost();
    const r = await drbdResource({ name: 'replicate', content }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: 'created /etc/drbd.d/replicate.res', path: '/etc/drbd.d/replicate.res' });
    expect(h.files.get('/etc/drbd.d/replicate.res')?.content.toString()).to.equal(content);
    expect(h.files.get('/etc/drbd.d/replicate.res')?.mode).to.equal(0o644);
    expect(commands(h)).to.deep.equal([SCAN, 'drbdadm -c /tmp/.drbd-check-X.conf dump replicate', 'rm -f -- /tmp/.drbd-check-X.res /tmp/.drbd-check-X.conf']);
    expect(checkedConfig(h)).to.equal('# drbdadm\'s configuration with the new /etc/drbd.d/replicate.res\ninclude "/tmp/.drbd-check-X.res";\n');
  });

  it('is a no-op when the file is unchanged (second run)', async () => {
    const h = resHost(content);
    expect(await drbdResource({ name: 'replicate', content }).run(moduleContext(h))).to.deep.include({ changed: false, msg: '/etc/drbd.d/replicate.res up to date' });
    expect(commands(h)).to.deep.equal([SCAN]);
  });

  it('checks the new file among the files drbdadm reads, in its place (a device minor or port used twice shows)', async () => {
    const h = resHost('old\n').file('/etc/drbd.d/global_common.conf', 'global { usage-count no; }\n').file('/etc/drbd.d/r1.res', 'resource r1 {\n}\n');
    expect((await drbdResource({ name: 'replicate', content }).run(moduleContext(h))).msg).to.equal('updated /etc/drbd.d/replicate.res');
    expect(checkedConfig(h)).to.equal(
      '# drbdadm\'s configuration with the new /etc/drbd.d/replicate.res\n' +
        'include "/etc/drbd.d/global_common.conf";\ninclude "/etc/drbd.d/r1.res";\ninclude "/tmp/.drbd-check-X.res";\n',
    );
  });

  it('renders the project template strictly: a missing variable stops before the host', () => {
    const vars = { resource: 'replicate', drbd9: true, device: '/dev/drbd0', port: 7788, nodes: [{ hostname: 'vprotect1', address: '10.40.1.50' }] };
    expect(() => drbdResource({ name: 'replicate', template: 'drbd-resource', vars }).preflight?.()).to.throw(/^template templates\/drbd-resource\.hbs: .*disk/);
    expect(() => drbdResource({ name: 'replicate', template: 'drbd-resource', vars: { ...vars, disk: '/dev/sdb' } }).preflight?.()).not.to.throw();
  });

  it('keeps the old file when drbdadm rejects the new one; --check shows the diff and writes nothing', async () => {
    const h = resHost('old\n', false);
    expect(await failure(drbdResource({ name: 'replicate', content }).run(moduleContext(h)))).to.equal(
      "the new /etc/drbd.d/replicate.res for vprotect1 does not pass `drbdadm dump` (exit 10): x.res:2: Parse error: 'protocol | on' expected,",
    );
    expect(h.files.get('/etc/drbd.d/replicate.res')?.content.toString()).to.equal('old\n');
    const c = resHost('old\n');
    const r = await drbdResource({ name: 'replicate', content }).run(moduleContext(c, { check: true, diff: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would update /etc/drbd.d/replicate.res' });
    expect(r.diffs).to.deep.equal([{ path: '/etc/drbd.d/replicate.res', before: 'old\n', after: content }]);
    expect(c.files.get('/etc/drbd.d/replicate.res')?.content.toString()).to.equal('old\n');
  });

  it('--check on a host without drbdadm yet (its package only "would install") reports the file unvalidated; a real run fails', async () => {
    const h = serveConfigScan(fakeHost('vprotect1'));
    h.on(/^drbdadm -c /, { code: 127, stderr: 'sh: 1: drbdadm: not found\n' });
    h.on(/^rm -f -- \/tmp\/\.drbd-check-/, { code: 0 });
    const r = await drbdResource({ name: 'replicate', content }).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would create /etc/drbd.d/replicate.res (drbdadm is not installed yet: checked on the real run)' });
    expect(h.files.has('/etc/drbd.d/replicate.res')).to.equal(false);
    expect(await failure(drbdResource({ name: 'replicate', content }).run(moduleContext(h)))).to.match(/does not pass `drbdadm dump` \(exit 127\)/);
    expect(h.files.has('/etc/drbd.d/replicate.res')).to.equal(false);
  });

  it('catches unbalanced braces, which drbdadm lets through', () => {
    expect(braceProblem(content)).to.equal(undefined);
    expect(braceProblem(content.trimEnd().slice(0, -1))).to.equal("1 '{' never closed (a missing '}' at the end?)");
    expect(braceProblem('a { "}" # }\n}')).to.equal(undefined);
    expect(braceProblem('a { } }')).to.equal("an extra '}' on line 1");
  });
});
