// Split-brain detection on text samples (spec/fixtures/drbd, see its README): the kernel log's latest word on a
// resource, data generations as DRBD compares them, what one node reads (drbd_split_brain), the pair's
// verdict, and drbd_primary refusing to promote a node that cannot see its peer.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FakeConnection } from '../../../support/fake-connection';
import { drbdPrimary, drbdSplitBrain } from '../../../../modules/drbd';
import { KERNEL_LOG_READ, lastSplitBrainEvent, minorOf } from '../../../../modules/drbd/kernel-log';
import { compareGenerations, parseGenerations, type Generations } from '../../../../modules/drbd/generations';
import { judgeSplitBrain, noSplitBrainMessage, type NodeFacts } from '../../../../modules/drbd/split-brain-verdict';
import { parseStatusText, peerConnection } from '../../../../modules/drbd/status';
import { fakeHost, moduleContext } from '../../../support/module-context';
import { failureMessage as failure } from '../../../support/failure';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../fixtures/drbd', name), 'utf8');
const LOG_84 = fixture('kernel-log-84-split-brain.txt');
const LOG_84_RECOVERED = fixture('kernel-log-84-recovered.txt');
const LOG_9 = fixture('kernel-log-9-split-brain.txt');
const STANDALONE_84 = fixture('status-84-standalone.txt');
const JSON9 = fixture('status-9-established.json');
const STANDALONE_9 = JSON9.replace('"connection-state": "Connected"', '"connection-state": "StandAlone"')
  .replace('"peer-role": "Primary"', '"peer-role": "Unknown"')
  .replace('"peer-disk-state": "UpToDate"', '"peer-disk-state": "DUnknown"')
  .replace('"replication-state": "Established"', '"replication-state": "Off"');
const UNRESOLVED_84 = 'block drbd0: Split-Brain detected but unresolved, dropping connection!';
const GI_84 = '7C2F1B4D6E8A0F33:6B1E0A3C5D7F9E21:3A1B2C3D4E5F6070:0000000000000000:1:1:1:0:0:0:0\n';

describe('the kernel log on a split brain', () => {
  it('DRBD 8.4 (Linux 6.1): the device line names only the minor; the latest word is the unresolved split brain', () => {
    expect(lastSplitBrainEvent(LOG_84, 'replicate', 0)).to.deep.equal({ kind: 'unresolved', line: UNRESOLVED_84 });
    // Without the minor the device's lines are not this resource's: its last handshake is all that is left.
    expect(lastSplitBrainEvent(LOG_84, 'replicate')).to.deep.equal({ kind: 'handshake', line: 'drbd replicate: Handshake successful: Agreed network protocol version 101' });
    expect(lastSplitBrainEvent(LOG_84, 'replicate', 1)?.kind).to.equal('handshake');
  });

  it('a manual recovery settles it, and a later network failure is no split brain', () => {
    expect(lastSplitBrainEvent(LOG_84_RECOVERED, 'replicate', 0)).to.deep.equal({
      kind: 'resolved',
      line: 'block drbd0: Split-Brain detected, manually solved. Sync from peer node',
    });
  });

  it('DRBD 9 (dmesg, with timestamps): by the resource name; another resource\'s later handshake does not count', () => {
    expect(lastSplitBrainEvent(LOG_9, 'replicate', 0)).to.deep.equal({
      kind: 'unresolved',
      line: '[ 4711.130405] drbd replicate/0 drbd0 vprotect2: Split-Brain detected but unresolved, dropping connection!',
    });
    expect(lastSplitBrainEvent(LOG_9, 'replicate2')?.kind).to.equal('handshake');
    expect(lastSplitBrainEvent(LOG_9, 'other')).to.equal(undefined);
  });

  it('out-of-tree 8.4 (`d-con RES:`) and syslog headers', () => {
    const log = [
      'Sep 19 01:56:05 nod2 kernel: d-con replicate: Handshake successful: Agreed network protocol version 101',
      'Sep 19 01:56:06 nod2 kernel: block drbd0: Split-Brain detected but unresolved, dropping connection!',
      'Sep 19 01:56:06 nod2 kernel: d-con replicate: conn( Disconnecting -> StandAlone )',
    ].join('\n');
    expect(lastSplitBrainEvent(log, 'replicate', 0)?.kind).to.equal('unresolved');
    expect(lastSplitBrainEvent(log.split('\n')[0]!, 'replicate', 0)?.kind).to.equal('handshake');
  });

  it('the minor of /dev/drbdN; none for another device path', () => {
    expect([minorOf('/dev/drbd0'), minorOf('/dev/drbd12'), minorOf('/dev/drbd/by-res/replicate/0')]).to.deep.equal([0, 12, undefined]);
  });
});

describe('data generations (drbdadm get-gi)', () => {
  const gi = (current: string, bitmap: string, h1 = '0000000000000000'): Generations => ({ current, bitmap, history: [h1, '0000000000000000'] });
  const X = '6B1E0A3C5D7F9E20';

  it('reads the 8.4 and DRBD 9 lines; nothing from an error', () => {
    expect(parseGenerations(GI_84)).to.deep.equal({ current: '7C2F1B4D6E8A0F33', bitmap: '6B1E0A3C5D7F9E21', history: ['3A1B2C3D4E5F6070', '0000000000000000'] });
    expect(parseGenerations('7c2f1b4d6e8a0f33:0000000000000000:0000000000000000:0000000000000000:1:1:1:0:0:0:0:0:0:0:0:0\n')?.current).to.equal('7C2F1B4D6E8A0F33');
    expect(parseGenerations('Device has no disk\n')).to.equal(undefined);
  });

  it('compares as DRBD does: the flag bit aside, a resync when one descends from the other, diverged when both moved on', () => {
    const A = '7C2F1B4D6E8A0F33';
    const B = '5D4C3B2A19087F65';
    expect(compareGenerations(gi(A, X), gi('7C2F1B4D6E8A0F32', X))).to.equal('same');
    // The Primary moved on while the Secondary stayed: a resync from the Primary settles it.
    expect(compareGenerations(gi(A, X), gi(X, '0000000000000000'))).to.equal('resync');
    expect(compareGenerations(gi(A, '0000000000000000', X), gi(X, '0000000000000000'))).to.equal('resync');
    // Both moved on from X (flag bits differ): a split brain.
    expect(compareGenerations(gi(A, X), gi(B, '6B1E0A3C5D7F9E21'))).to.equal('diverged');
    expect(compareGenerations(gi(A, '0000000000000000', X), gi(B, '0000000000000000', X))).to.equal('diverged');
    expect(compareGenerations(gi(A, '0000000000000000'), gi(B, '0000000000000000'))).to.equal('unrelated');
  });
});

/** A DRBD host answering status (text form, 8.4; or JSON, 9), the kernel log and get-gi. */
function sbHost(status: { text?: string; json?: string }, log = '', gi = GI_84): FakeConnection {
  const h = fakeHost('vprotect1');
  h.on(/^drbdsetup status replicate --json$/, status.json !== undefined ? { stdout: status.json } : { code: 20, stderr: "drbdsetup: unrecognized option '--json'\n" });
  h.on(/^drbdsetup status replicate$/, status.text !== undefined ? { stdout: status.text } : { code: 10, stderr: 'replicate: No such resource\n' });
  h.on((cmd) => cmd === KERNEL_LOG_READ, { stdout: log });
  h.on('drbdadm get-gi replicate', { stdout: gi });
  h.on(/^drbdadm primary/, { code: 0 });
  return h;
}

describe('drbd_split_brain (one node\'s side)', () => {
  it('DRBD 8.4 StandAlone (no peer listed): its kernel log\'s verdict and its data generation', async () => {
    expect(peerConnection(parseStatusText(STANDALONE_84, 'replicate')!)).to.equal('StandAlone');
    const r = await drbdSplitBrain({ resource: 'replicate', device: '/dev/drbd0' }).run(moduleContext(sbHost({ text: STANDALONE_84 }, LOG_84)));
    expect(r).to.deep.equal({
      changed: false,
      msg: 'replicate Primary, disk UpToDate, peer StandAlone; kernel log: unresolved; data generation 7C2F1B4D6E8A0F33',
      up: true,
      role: 'Primary',
      disk: 'UpToDate',
      connection: 'StandAlone',
      kernelLog: { kind: 'unresolved', line: UNRESOLVED_84 },
      generations: { current: '7C2F1B4D6E8A0F33', bitmap: '6B1E0A3C5D7F9E21', history: ['3A1B2C3D4E5F6070', '0000000000000000'] },
    });
  });

  it('a connected node reads nothing more; a node whose resource is down says so; --check reads the same', async () => {
    const connected = sbHost({ json: JSON9 }, LOG_9);
    const r = await drbdSplitBrain({ resource: 'replicate', device: '/dev/drbd0' }).run(moduleContext(connected, { check: true }));
    expect(r).to.deep.equal({
      changed: false,
      msg: 'replicate Secondary, disk UpToDate, peer vprotect2 Connected (Primary, UpToDate, Established)',
      up: true,
      role: 'Secondary',
      disk: 'UpToDate',
      connection: 'Connected',
    });
    expect(connected.commands).to.deep.equal(['drbdsetup status replicate --json']);
    const down = await drbdSplitBrain({ resource: 'replicate' }).run(moduleContext(sbHost({})));
    expect(down).to.deep.equal({ changed: false, msg: 'replicate is down', up: false });
  });

  it('DRBD 9 StandAlone, by name', async () => {
    const r = await drbdSplitBrain({ resource: 'replicate', device: '/dev/drbd0' }).run(moduleContext(sbHost({ json: STANDALONE_9 }, LOG_9)));
    expect(r.msg).to.equal('replicate Secondary, disk UpToDate, peer vprotect2 StandAlone; kernel log: unresolved; data generation 7C2F1B4D6E8A0F33');
  });
});

describe('the pair\'s split-brain verdict', () => {
  const node = (host: string, over: Partial<NonNullable<NodeFacts['facts']>> = {}): NodeFacts => ({
    host,
    facts: { up: true, role: 'Secondary', disk: 'UpToDate', connection: 'StandAlone', ...over },
  });
  const A: Generations = { current: '7C2F1B4D6E8A0F33', bitmap: '6B1E0A3C5D7F9E21', history: [] };
  const B: Generations = { current: '5D4C3B2A19087F65', bitmap: '6B1E0A3C5D7F9E20', history: [] };

  it('one node\'s kernel log is enough (8.4 may declare it on one side only, the other still connecting)', () => {
    const v = judgeSplitBrain([node('vprotect1', { role: 'Primary', kernelLog: { kind: 'unresolved', line: `[ 12.5] ${UNRESOLVED_84}` } }), node('vprotect2', { connection: 'Connecting' })]);
    expect(v).to.deep.equal({ splitBrain: true, evidence: [`vprotect1's kernel log: "${UNRESOLVED_84}"`] });
  });

  it('both StandAlone with diverged generations, whatever the log kept', () => {
    const v = judgeSplitBrain([node('vprotect1', { generations: A }), node('vprotect2', { generations: B })]);
    expect(v.evidence).to.deep.equal(['both StandAlone with data moved apart from a common generation (vprotect1 now at 7C2F1B4D6E8A0F33, vprotect2 at 5D4C3B2A19087F65)']);
  });

  it('no split brain: connected, StandAlone without evidence (an admin\'s disconnect, a resync pending), a settled one, an unread node', () => {
    const behind: Generations = { current: '6B1E0A3C5D7F9E20', bitmap: '0000000000000000', history: [] };
    for (const nodes of [
      [node('vprotect1', { connection: 'Connected' }), node('vprotect2', { connection: 'Connected' })],
      [node('vprotect1', { generations: A }), node('vprotect2', { generations: behind })],
      [node('vprotect1', { kernelLog: { kind: 'resolved', line: 'block drbd0: Split-Brain detected, manually solved. Sync from peer node' } }), node('vprotect2')],
      [node('vprotect1', { connection: 'Connecting', kernelLog: { kind: 'unresolved', line: UNRESOLVED_84 } }), { host: 'vprotect2' }],
    ]) {
      expect(judgeSplitBrain(nodes).splitBrain, JSON.stringify(nodes)).to.equal(false);
    }
    expect(noSplitBrainMessage('replicate', [node('vprotect1', { role: 'Primary', connection: 'Connected' }), { host: 'vprotect2' }, { host: 'vprotect3', facts: { up: false } }])).to.equal(
      'no split brain on replicate: vprotect1 is Primary (disk UpToDate, Connected), vprotect2 could not be read, vprotect3 has replicate down',
    );
  });
});

describe('drbd_primary never promotes a node that cannot see its peer', () => {
  const refusal = (peers: string): string =>
    `refusing \`drbdadm primary replicate\` on vprotect1: its peer is not connected (peers: ${peers}), so this node cannot know whether the peer ` +
    'is Primary or holds newer data, and two Primaries writing apart are a split brain. Reconnect the nodes first (playbooks/status.ts says whether they are in split brain)';

  it('StandAlone (8.4: no peer listed; 9: connection:StandAlone), up-to-date or not, with or without initialSync, at once', async () => {
    const secondary84 = STANDALONE_84.replace('role:Primary', 'role:Secondary');
    const t0 = Date.now();
    for (const initialSync of [false, true]) {
      const h = sbHost({ text: secondary84 });
      expect(await failure(drbdPrimary({ resource: 'replicate', initialSync }).run(moduleContext(h)))).to.equal(refusal('no peers'));
      expect(h.commands.filter((c) => c.startsWith('drbdadm'))).to.deep.equal([]);
    }
    const h9 = sbHost({ json: STANDALONE_9 });
    expect(await failure(drbdPrimary({ resource: 'replicate', initialSync: true }).run(moduleContext(h9)))).to.equal(refusal('vprotect2 StandAlone/DUnknown'));
    expect(Date.now() - t0, 'no wait for a peer that will not connect by itself').to.be.lessThan(900);
  });

  it('a peer that is still connecting is waited for, then refused when it never comes (a partition)', async () => {
    const h = sbHost({ text: 'replicate role:Secondary\n  disk:UpToDate\n  vprotect2 connection:Connecting\n' });
    expect(await failure(drbdPrimary({ resource: 'replicate', connectTimeoutSeconds: 1 }).run(moduleContext(h)))).to.equal(refusal('vprotect2 Connecting/DUnknown'));
    expect(h.commands.filter((c) => c === 'drbdsetup status replicate').length, 'read again while waiting').to.be.greaterThan(1);
  });
});
