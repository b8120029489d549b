// playbooks/status.ts through the CLI on scripted hosts (spec/support/split-brain-pair.ts, pacemaker's real
// crm_mon output): the report a user reads, exit 0 on a healthy pair, 2 with the way out on a split brain,
// 4 when a node does not answer; and nothing it runs changes a host.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { status } from '../../../playbooks/status';
import { removeTempDirs, runMain, SITE_HOSTS_YML, tempDir, type CliRun } from '../../support/cli-harness';
import { changes, type StoragePair } from '../../support/storage-hosts';
import { DRBD_CHANGES, runningPair, splitBrain, splitBrainRefusal } from '../../support/split-brain-pair';

const CRM_MON = readFileSync(path.join(__dirname, '../../fixtures/pcs/crm-mon-howto-0.11.xml'), 'utf8');
const VIEW = 'online: vprotect1, vprotect2; Failover_IP@stopped ping-clone@vprotect1+vprotect2 vProtect-group@stopped replicateClone@vprotect1+vprotect2';

function statusOn(pair: StoragePair): Promise<CliRun> {
  const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': 'preferred_node: vprotect1\ndrbd_enabled: true\n' });
  for (const c of pair.hosts.values()) c.on('crm_mon --one-shot --inactive --output-as=xml', { stdout: CRM_MON });
  return runMain(status, ['-i', dir], { host: (entry) => pair.hosts.get(entry.name)! });
}

const changedNothing = (pair: StoragePair): void => {
  for (const [name, c] of pair.hosts) expect(changes(c).filter((x) => !x.startsWith('crm_mon ')), name).to.deep.equal([]);
  expect(pair.timeline.filter((l) => DRBD_CHANGES.test(l))).to.deep.equal([]);
};

describe('playbooks/status.ts', () => {
  after(removeTempDirs);

  it('a healthy pair: each node\'s DRBD side and pacemaker view, "no split brain", exit 0', async () => {
    const pair = runningPair({});
    const r = await statusOn(pair);
    expect(r.err).to.deep.equal([]);
    expect(r.code).to.equal(0);
    expect(r.out).to.include.members([
      'ok: [vprotect1] => replicate Primary, disk UpToDate, peer vprotect2 Connected (Secondary, UpToDate, Established)',
      'ok: [vprotect2] => replicate Secondary, disk UpToDate, peer vprotect1 Connected (Primary, UpToDate, Established)',
      `ok: [vprotect1] => ${VIEW}`,
      `ok: [vprotect2] => ${VIEW}`,
      'ok: [vprotect1] => no split brain on replicate: vprotect1 is Primary (disk UpToDate, Connected), vprotect2 is Secondary (disk UpToDate, Connected)',
    ]);
    changedNothing(pair);
  });

  it('a split brain: both nodes FAILED with the roles, the evidence and the way out, the pacemaker view still shown, exit 2', async () => {
    const pair = splitBrain(runningPair({}));
    const r = await statusOn(pair);
    expect(r.code).to.equal(2);
    expect(r.out).to.include.members([
      'ok: [vprotect1] => replicate Primary, disk UpToDate, peer vprotect2 StandAlone; kernel log: unresolved; data generation 7C2F1B4D6E8A0F33',
      'ok: [vprotect2] => replicate Secondary, disk UpToDate, peer vprotect1 StandAlone; kernel log: nothing on a split brain; data generation 5D4C3B2A19087F65',
      `ok: [vprotect1] => ${VIEW}`,
      `fatal: [vprotect1]: FAILED! => ${splitBrainRefusal('vprotect1')}`,
      `fatal: [vprotect2]: FAILED! => ${splitBrainRefusal('vprotect2')}`,
    ]);
    expect(r.out.filter((l) => l.startsWith('fatal:'))).to.have.length(2);
    changedNothing(pair);
  });

  it('a node that does not answer: exit 4', async () => {
    const pair = runningPair({});
    pair.hosts.get('vprotect2')!.unreachable = true;
    expect((await statusOn(pair)).code).to.equal(4);
  });
});
