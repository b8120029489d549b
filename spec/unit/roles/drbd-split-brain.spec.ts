// The drbd role on a pair a partition left in split brain (spec/support/split-brain-pair.ts): it stops both
// nodes with the exact refusal before anything touches DRBD, under --check too, and nothing it runs could
// discard either side's data; on the same pair healed it goes on as on any running pair.
import { expect } from 'chai';
import type { Vars } from '../../../engine/dsl';
import { play, playbook } from '../../../engine/dsl';
import { drbd } from '../../../roles/drbd';
import { runFake, type FakeRun } from '../../support/fake-run';
import { changes } from '../../support/storage-hosts';
import { DRBD_CHANGES, runningPair, splitBrain, splitBrainRefusal } from '../../support/split-brain-pair';

const site = playbook('drbd', [play({ name: 'replicated storage', hosts: 'cluster', become: true, roles: [drbd] })]);
const VARS: Vars = { preferred_node: 'vprotect1', drbd_enabled: true, drbd_disk: '/dev/sdb', drbd_connect_timeout: 1, vdo_enabled: false };
const TASK = "No DRBD split brain (nothing here discards either side's data)";

const failures = (r: FakeRun) => r.events.flatMap((e) => (e.type === 'result' && e.status === 'failed' ? [`${e.host}: ${e.task.name}: ${e.msg}`] : []));
const messageOf = (r: FakeRun, host: string): string | undefined =>
  r.events.flatMap((e) => (e.type === 'result' && e.host === host && e.task.name === TASK ? [e.msg] : []))[0];

describe('drbd role on a pair in split brain (scripted hosts)', () => {
  for (const check of [false, true]) {
    it(`${check ? '--check: says the same' : 'stops both nodes'}, each naming itself, the roles, the evidence and the way out; runs nothing that changes DRBD`, async () => {
      const pair = splitBrain(runningPair(VARS));
      const r = await runFake(site, pair, { check });
      expect(r.exitCode).to.equal(2);
      expect(failures(r)).to.deep.equal([`vprotect1: ${TASK}: ${splitBrainRefusal('vprotect1')}`, `vprotect2: ${TASK}: ${splitBrainRefusal('vprotect2')}`]);
      for (const host of ['vprotect1', 'vprotect2']) expect(changes(pair.hosts.get(host)!), host).to.deep.equal([]);
      expect(pair.timeline.filter((l) => DRBD_CHANGES.test(l))).to.deep.equal([]);
      // The refusal comes before the resource file, metadata, up and the preferred node's promotion.
      expect(r.results.filter((x) => / (DRBD resource file|DRBD metadata|Bring the resource up|Initial sync)/.test(x))).to.deep.equal([]);
    });
  }

  it('the same pair, healed (Connected, UpToDate): the check says so and the role goes on, changing nothing DRBD holds', async () => {
    const pair = runningPair(VARS);
    const r = await runFake(site, pair);
    expect(failures(r)).to.deep.equal([]);
    expect(messageOf(r, 'vprotect2')).to.equal(
      'no split brain on replicate: vprotect1 is Primary (disk UpToDate, Connected), vprotect2 is Secondary (disk UpToDate, Connected)',
    );
    expect(pair.timeline.filter((l) => DRBD_CHANGES.test(l))).to.deep.equal([]);
  });

  it('StandAlone without evidence of a split brain: no refusal here, but the preferred node, Secondary, is not promoted blind', async () => {
    const pair = runningPair(VARS);
    for (const h of pair.state.values()) {
      h.standAlone = true;
      h.role = 'Secondary';
    }
    const r = await runFake(site, pair);
    expect(messageOf(r, 'vprotect1')).to.equal(
      'no split brain on replicate: vprotect1 is Secondary (disk UpToDate, StandAlone), vprotect2 is Secondary (disk UpToDate, StandAlone)',
    );
    expect(failures(r)).to.deep.equal([
      'vprotect1: Initial sync from the preferred node: refusing `drbdadm primary replicate` on vprotect1: its peer is not connected (peers: vprotect2 StandAlone/DUnknown), ' +
        'so this node cannot know whether the peer is Primary or holds newer data, and two Primaries writing apart are a split brain. ' +
        'Reconnect the nodes first (playbooks/status.ts says whether they are in split brain)',
    ]);
    expect(pair.timeline.filter((l) => DRBD_CHANGES.test(l))).to.deep.equal([]);
  });
});
