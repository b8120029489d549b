// The recovery benchmark's arithmetic on scripted readings: when each milestone came, the phase it ends, the
// critical path to the API answering, medians over rounds, and the verdict naming the largest phase's knob.
import { expect } from 'chai';
import type { ClusterView, NodeView } from '../../../bench/recovery-probe';
import { recoveryReport, type ScenarioRun } from '../../../bench/recovery-report';
import type { ResourceSettings, Settings } from '../../../bench/recovery-settings';
import { decidingPhases, summarize } from '../../../bench/recovery-summary';
import { milestones, timeline, type Observations, type Reached } from '../../../bench/recovery-timeline';
import { verdictLines } from '../../../bench/recovery-verdict';
import type { DrbdStatus } from '../../../modules/drbd/status';

const V1 = 'vprotect1';
const V2 = 'vprotect2';
const both = [V1, V2];

/** The settled cluster on vprotect1, changed by `over`. */
const cluster = (over: Partial<ClusterView> = {}): ClusterView => ({
  nodes: [
    { name: V1, online: true, standby: false },
    { name: V2, online: true, standby: false },
  ],
  group: [V1],
  storage: [V1],
  vip: [V1],
  mariadb: both,
  pingd: both,
  promotable: both,
  ...over,
});

const drbd = (role: string, peer: 'Connected' | 'Connecting', peerDisk = 'UpToDate'): DrbdStatus => ({
  resource: 'replicate',
  role,
  diskState: 'UpToDate',
  peers: [{ name: 'peer', connection: peer, role: peer === 'Connected' ? 'Secondary' : 'Unknown', diskState: peer === 'Connected' ? peerDisk : 'DUnknown', replication: 'Established' }],
});

const node = (d: DrbdStatus | undefined, mountedFrom = '', service = 'inactive'): NodeView => ({ ...(d ? { drbd: d } : {}), mountedFrom, service });

const at = (r: readonly Reached[]) => Object.fromEntries(r.map((x) => [x.id, x.at]));
const phases = (r: readonly Reached[]) => Object.fromEntries(r.map((x) => [x.id, x.phaseMs]));
const path = (r: readonly Reached[]) => r.filter((x) => x.critical).map((x) => x.id);

/** A standby of vprotect1 read on vprotect2, every reading `offsetMs` later (rounds that differ). */
function standbyReadings(offsetMs = 0): Observations {
  const t = (ms: number) => ms + offsetMs;
  const standby = cluster().nodes.map((n) => (n.name === V1 ? { ...n, standby: true } : n));
  return {
    cluster: [
      { at: t(300), node: V2, view: cluster({ nodes: standby }) },
      { at: t(2000), node: V2, view: cluster({ nodes: standby, group: [], vip: [] }) },
      { at: t(3000), node: V2, view: cluster({ nodes: standby, group: [], storage: [], vip: [V2] }) },
      // crm_mon is slow: the fs_group start shows here, after the node itself showed the mount
      { at: t(6000), node: V2, view: cluster({ nodes: standby, group: [V2], storage: [V2], vip: [V2] }) },
    ],
    node: [
      { at: t(200), node: V2, view: node(drbd('Secondary', 'Connected')) },
      { at: t(4000), node: V2, view: node(drbd('Primary', 'Connecting')) },
      { at: t(4500), node: V2, view: node(drbd('Primary', 'Connecting'), '/dev/drbd0') },
      { at: t(5500), node: V2, view: node(drbd('Primary', 'Connecting'), '/dev/drbd0', 'active') },
    ],
    api: [
      { at: t(100), hostname: V1 },
      { at: t(5800), hostname: V2 },
    ],
    marks: {},
  };
}

const SETTINGS: Settings = {
  token: { ms: 3000, from: 'corosync-cmapctl runtime.config.totem.token' },
  consensus: { ms: 3600, from: 'corosync-cmapctl runtime.config.totem.consensus' },
  drbd: {
    pingInt: { ms: 10_000, from: 'drbdsetup show replicate' },
    pingTimeout: { ms: 500, from: 'drbdsetup show replicate' },
    timeout: { ms: 6000, from: 'drbdsetup show replicate' },
    connectInt: { ms: 10_000, from: 'drbdsetup show replicate' },
  },
  resources: new Map<string, ResourceSettings>([
    ['ping', { monitorInterval: '10s', attributes: { dampen: '5s' } }],
    ['replicate', { monitorInterval: '10s', attributes: {} }],
    ['vProtect-server', { startTimeout: '300s', stopTimeout: '300s', monitorInterval: '60s', attributes: {} }],
  ]),
};

describe('bench: recovery timeline', () => {
  it('times each standby milestone from the event, each phase from its latest prerequisite, along the critical path', () => {
    const r = timeline(milestones('standby', { from: V1, to: V2 }), standbyReadings());
    expect(at(r)).to.deep.equal({ seen: 300, groupStopped: 2000, storageReleased: 3000, primary: 4000, mounted: 4500, service: 5500, vip: 3000, api: 5800 });
    expect(phases(r)).to.deep.equal({ seen: 300, groupStopped: 1700, storageReleased: 1000, primary: 1000, mounted: 500, service: 1000, vip: 2700, api: 300 });
    expect(path(r)).to.deep.equal(['seen', 'groupStopped', 'storageReleased', 'primary', 'mounted', 'service', 'api']);
    expect(r.find((x) => x.id === 'api')!.label).to.equal('the API on the floating IP answering from vprotect2');
  });

  it('moves a milestone a slow probe saw late back to the first milestone that proves it', () => {
    // crm_mon shows the floating IP on vprotect2 only after the API answered from there.
    const o = standbyReadings();
    const late: Observations = { ...o, cluster: o.cluster.map((c) => (c.at === 3000 ? { ...c, view: { ...c.view, vip: [] } } : c)) };
    const r = timeline(milestones('standby', { from: V1, to: V2 }), late);
    expect(at(r).vip).to.equal(5800);
    expect(phases(r).api).to.equal(0);
  });

  it('after a power cut, promotion waits for DRBD to notice the lost peer: the critical path goes through it', () => {
    const offline = cluster().nodes.map((n) => (n.name === V1 ? { ...n, online: false } : n));
    const o: Observations = {
      cluster: [
        { at: 200, node: V2, view: cluster() },
        { at: 4200, node: V2, view: cluster({ nodes: offline, group: [], storage: [], vip: [] }) },
        { at: 4400, node: V2, view: cluster({ nodes: offline, group: [], storage: [], vip: [V2] }) },
      ],
      node: [
        { at: 100, node: V2, view: node(drbd('Secondary', 'Connected')) },
        { at: 10_300, node: V2, view: node(drbd('Secondary', 'Connecting')) },
        { at: 11_800, node: V2, view: node(drbd('Primary', 'Connecting')) },
        { at: 12_500, node: V2, view: node(drbd('Primary', 'Connecting'), '/dev/drbd0', 'activating') },
        { at: 13_000, node: V2, view: node(drbd('Primary', 'Connecting'), '/dev/drbd0', 'active') },
      ],
      api: [{ at: 13_400, hostname: V2 }],
      marks: {},
    };
    const r = timeline(milestones('power cut', { from: V1, to: V2 }), o);
    expect(path(r)).to.deep.equal(['drbdPeerLost', 'primary', 'mounted', 'service', 'api']);
    expect(phases(r)).to.include({ seen: 4200, drbdPeerLost: 10_300, primary: 1500 });
  });

  it('leaves a milestone never seen without a time, and no critical path without the goal', () => {
    const o = standbyReadings();
    const r = timeline(milestones('standby', { from: V1, to: V2 }), { ...o, api: o.api.filter((a) => a.hostname === V1) });
    expect(r.find((x) => x.id === 'api')).to.deep.equal({ id: 'api', label: 'the API on the floating IP answering from vprotect2', critical: false });
    expect(path(r)).to.deep.equal([]);
  });

  it('dates a state only from when it began: one that held at the event counts once it ended and began again', () => {
    // Back from standby: a stale pingd (ping's stop deletes it only after its dampen) must not date 'pingd'.
    const standby = cluster().nodes.map((n) => (n.name === V1 ? { ...n, standby: true } : n));
    const away = { nodes: standby, group: [V2], storage: [V2], vip: [V2], mariadb: [V2], promotable: [V2] };
    const o: Observations = {
      cluster: [
        { at: -500, node: V1, view: cluster({ ...away, pingd: both }) },
        { at: 800, node: V1, view: cluster({ ...away, nodes: cluster().nodes, pingd: both }) },
        { at: 2000, node: V1, view: cluster({ ...away, nodes: cluster().nodes, pingd: [V2] }) },
        { at: 7000, node: V1, view: cluster({ ...away, nodes: cluster().nodes, pingd: both }) },
      ],
      node: [],
      api: [
        { at: -300, hostname: V2 },
        { at: 100, hostname: V2 },
      ],
      marks: {},
    };
    const r = at(timeline(milestones('unstandby', { from: V2, to: V1 }), o));
    expect(r).to.include({ seen: 800, pingd: 7000 });
    expect(r.api, 'the API still answering from the old node is no milestone').to.equal(undefined);
  });

  it('after a cut, the move back waits for the resync (the fence constraint), a standby\'s only for the promotion score', () => {
    expect(milestones('restart', { from: V2, to: V1 }).find((m) => m.id === 'groupStopped')!.after).to.deep.equal(['promotable', 'synced']);
    expect(milestones('unstandby', { from: V2, to: V1 }).find((m) => m.id === 'groupStopped')!.after).to.deep.equal(['promotable']);
  });

  it('has the resync and the returning node\'s attributes in the restart timeline, DRBD read on the survivor', () => {
    const ms = milestones('restart', { from: V2, to: V1 });
    expect(ms.map((m) => m.id)).to.deep.equal(['booted', 'rejoined', 'drbdConnected', 'synced', 'promotable', 'pingd', 'mariadb', 'groupStopped', 'storageReleased', 'primary', 'mounted', 'service', 'vip', 'api']);
    expect(ms.find((m) => m.id === 'synced')!.label).to.equal('DRBD UpToDate/UpToDate (resync done)');
    const o: Observations = {
      cluster: [],
      node: [
        { at: 40_000, node: V2, view: node(drbd('Primary', 'Connected', 'Inconsistent')) },
        { at: 41_000, node: V2, view: node(drbd('Primary', 'Connected')) },
      ],
      api: [],
      marks: { booted: 30_000 },
    };
    expect(at(timeline(ms, o))).to.include({ booted: 30_000, drbdConnected: 40_000, synced: 41_000 });
  });
});

describe('bench: recovery summary and verdict', () => {
  const rounds = [0, 400, -200].map((d) => timeline(milestones('standby', { from: V1, to: V2 }), standbyReadings(d)));

  it('takes medians over rounds per milestone and counts the rounds each was on the critical path', () => {
    const s = summarize(rounds);
    const api = s.find((x) => x.id === 'api')!;
    expect(api).to.deep.include({ seen: 3, of: 3, atMs: 5800, minAtMs: 5600, maxAtMs: 6200, critical: 3 });
    expect(s.find((x) => x.id === 'vip')!.critical).to.equal(0);
    expect(decidingPhases(s).map((x) => x.id)[0]).to.equal('groupStopped');
  });

  it('names the largest phase on the critical path, its share and its knob, from the numbers', () => {
    const lines = verdictLines('standby', 'Standby fail-over', summarize(rounds), SETTINGS);
    expect(lines[0]).to.equal('- **Standby fail-over**: 5.80 s from the event to the API on the floating IP answering from vprotect2 (median of 3 rounds).');
    expect(lines[1]).to.match(/^ {2}The largest phase on the critical path is "vProtect-group stopped on vprotect1": 1\.70 s \(29%\): stopping vprotect-server and vprotect-node .*vProtect-server stop timeout 300s/);
  });

  it('after a power cut, compares detection with token + consensus and DRBD\'s pings, and blames the largest', () => {
    const s = summarize([
      [
        { id: 'seen', label: 'pacemaker on vprotect2 sees vprotect1 offline', at: 7000, phaseMs: 7000, critical: true },
        { id: 'drbdPeerLost', label: 'DRBD on vprotect2 lost its peer', at: 5000, phaseMs: 5000, critical: false },
        { id: 'api', label: 'the API on the floating IP answering from vprotect2', at: 10_000, phaseMs: 3000, critical: true },
      ],
    ]);
    const lines = verdictLines('power cut', 'Power cut', s, SETTINGS);
    expect(lines[1]).to.contain('"pacemaker on vprotect2 sees vprotect1 offline": 7.00 s (70%)').and.contain('totem token (now 3 s) plus consensus (now 3600 ms, 1.2 x token unless set)');
    expect(lines[2]).to.equal('  Next: "the API on the floating IP answering from vprotect2", 3.00 s (30%): the server answering once its unit is active (the product\'s warm-up) and clients\' ARP caches following IPaddr2\'s gratuitous ARP.');
    expect(lines.join('\n')).to.contain("corosync's token (3000 ms) + consensus (3600 ms) = 6.60 s, the other 0.40 s being the new membership");
    expect(lines.join('\n')).to.contain('DRBD noticed the lost peer after 5.00 s (ping-int 10000 ms + ping-timeout 500 ms = 10.50 s at most on an idle link)');
  });

  it('says so when the API never answered from the other node', () => {
    const r = timeline(milestones('standby', { from: V1, to: V2 }), { ...standbyReadings(), api: [] });
    expect(verdictLines('standby', 'Standby fail-over', summarize([r]), SETTINGS)).to.deep.equal([
      '- **Standby fail-over**: the API never answered from the other node within the time limit: no phase to blame from these rounds.',
    ]);
  });
});

describe('bench: recovery report', () => {
  it('prints the machine, the command, one table per scenario, the records verdict and the tuning section', () => {
    const reached = timeline(milestones('standby', { from: V1, to: V2 }), standbyReadings());
    const run: ScenarioRun = { scenario: 'standby', round: 1, move: { from: V1, to: V2 }, event: '`pcs node standby vprotect1` on vprotect1', reached, resolution: { cluster: 240, node: 110, api: 100 } };
    const cut: ScenarioRun = { ...run, scenario: 'power cut', event: '`npm run lab -- crash vprotect1`', records: { acked: 420, missing: 0, on: V2 } };
    const text = recoveryReport({
      started: new Date('2025-01-02T03:04:05Z'),
      command: 'npx ts-node bench/recovery.ts --rounds 1',
      machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 7.8, kernel: '6.1.0-test', os: 'Debian GNU/Linux 12 (bookworm)', node: 'v20.19.0' },
      load: { start: '1.00', end: '1.50' },
      preferred: V1,
      settings: SETTINGS,
      rounds: 1,
      runs: [run, cut],
      failures: [],
      lab: 'the storage tier was up already: left up as it was',
    });
    expect(text).to.contain('- date (UTC): 2025-01-02T03:04:05.000Z');
    expect(text).to.contain('- command: `npx ts-node bench/recovery.ts --rounds 1` (1 round)');
    expect(text).to.contain('- machine: nproc 2 (Test CPU), 7.8 GiB memory, kernel 6.1.0-test');
    expect(text).to.contain('- corosync: totem token 3000 ms (corosync-cmapctl runtime.config.totem.token)');
    expect(text).to.contain('## Standby fail-over: `pcs node standby vprotect1` on vprotect1');
    expect(text).to.contain('**Event to the API on the floating IP answering from vprotect2: 5.80 s** (median; 5.80 s..5.80 s, 1 of 1 rounds)');
    expect(text).to.contain('| DRBD Primary on vprotect2 | 4.00 s | 4.00 s..4.00 s | 1.00 s | 1/1 |');
    expect(text).to.contain('Readings every ~240 ms (crm_mon), ~110 ms (drbdadm status, findmnt, systemctl), ~100 ms (the API)');
    expect(text).to.contain('Acknowledged records missing on vprotect2: 0 of 420 (must be 0: **MET**)');
    expect(text).to.contain('0 acknowledged records lost over 1 checks (must be 0: **MET**).');
    expect(text).to.contain('## What dominates, and what a user could tune');
    expect(text.trimEnd().split('\n').pop()).to.equal('Lab: the storage tier was up already: left up as it was.');
  });
});
