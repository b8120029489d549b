// failover.ts's drill on fake hosts (failover-fakes.ts): the probe record written through the active node and
// checked on the node that took over, the API watched from this process while each move runs, the one-line
// report, a record missing or different failing with the exact message, --check, and the refusals.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { RunEvent } from '../../../engine/runner/events';
import type { TagFilter } from '../../../engine/tags';
import { ConfigError } from '../../../engine/errors';
import { failover } from '../../../playbooks/failover';
import { runFake, type FakeRun } from '../../support/fake-run';
import { failoverPair, type FailoverPair, type PairOptions } from './failover-fakes';

type Result = Extract<RunEvent, { type: 'result' }>;
const REPORT = 'Drill report';
const CHECK_OVER = 'Drill: the probe record is intact on the new active node';
const PROBE = '/vprotect_data/.ha-drill-probe';

const resultOf = (r: FakeRun, name: string): Result | undefined => r.events.find((e): e is Result => e.type === 'result' && e.task.name === name);
const msgOf = (r: FakeRun, name: string): string => resultOf(r, name)?.msg ?? `(no result for '${name}')`;
const tags = (only: string[]): TagFilter => ({ only, skip: [] });
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const written = (p: FailoverPair) => p.rows.get('vprotect1')![0]!;

describe('failover.ts: the drill around each move', function () {
  this.timeout(30_000);
  let pair: FailoverPair;
  const start = async (o: PairOptions): Promise<FailoverPair> => (pair = await failoverPair(o));
  afterEach(async () => pair?.close());

  it('over and back with DRBD: the report gives the outage of each move and the record found intact on both nodes', async () => {
    await start({ storage: true });
    const r = await runFake(failover, pair);
    expect(r.exitCode, r.results.join('\n')).to.equal(0);
    const m = /^drill: API on 127\.0\.0\.1:\d+ unavailable (\d+\.\d) s during fail-over, (\d+\.\d) s during fail-back; probe records: file sha256 ok on vprotect2 and vprotect1, row (\d+) ok on vprotect2 and vprotect1$/.exec(msgOf(r, REPORT));
    expect(m, msgOf(r, REPORT)).to.not.equal(null);
    // The fake API is down 400 ms after each move; one polling interval either way, and a loaded machine.
    for (const s of [m![1], m![2]]) expect(Number(s)).to.be.within(0.1, 5);
    expect(Number(m![3])).to.equal(written(pair).id);
    expect(written(pair).run_id).to.match(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(pair.hosts.get('vprotect2')!.files.get(PROBE)!.content.toString()).to.contain(`run: ${written(pair).run_id}\n`);
    expect([pair.active, [...pair.standby]]).to.deep.equal(['vprotect1', []]);
    expect(msgOf(r, CHECK_OVER)).to.equal(`probe record ${written(pair).run_id} intact on vprotect2: file sha256 ok, row ${written(pair).id} ok`);
  });

  it('without DRBD the record is the row alone; --tags failover, then --tags failback checks the record the first run wrote', async () => {
    await start({ storage: false });
    const over = await runFake(failover, pair, { tags: tags(['failover']) });
    expect(over.exitCode, over.results.join('\n')).to.equal(0);
    const id = written(pair).id;
    expect(msgOf(over, REPORT)).to.match(new RegExp(`^drill: API on 127\\.0\\.0\\.1:\\d+ unavailable \\d+\\.\\d s during fail-over; probe records: row ${id} ok on vprotect2$`));
    expect(pair.hosts.get('vprotect1')!.files.has(PROBE)).to.equal(false);
    expect([pair.active, [...pair.standby]]).to.deep.equal(['vprotect2', ['vprotect1']]);

    const back = await runFake(failover, pair, { tags: tags(['failback']) });
    expect(back.exitCode, back.results.join('\n')).to.equal(0);
    expect(msgOf(back, 'Drill: the newest probe record on the active node')).to.equal(`probe record ${written(pair).run_id} intact on vprotect2: row ${id} ok`);
    expect(msgOf(back, REPORT)).to.match(new RegExp(`^drill: API on 127\\.0\\.0\\.1:\\d+ unavailable \\d+\\.\\d s during fail-back; probe records: row ${id} ok on vprotect1$`));
    expect(pair.rows.get('vprotect1')).to.have.length(1); // the fail-back wrote no record of its own
  });

  it('a row that never reached the node that took over fails the check, naming the host and the record; nothing fails back', async () => {
    await start({ storage: true, replicateRows: false });
    pair.rows.set('vprotect2', []); // the table is there (an earlier drill), this run's row is not
    const r = await runFake(failover, pair, { extraVars: { drill_replication_wait_seconds: 1 } });
    expect(r.exitCode).to.equal(2);
    const w = written(pair);
    expect(resultOf(r, CHECK_OVER)).to.include({ status: 'failed', host: 'vprotect1', delegatedTo: 'vprotect2' });
    expect(msgOf(r, CHECK_OVER)).to.equal(`probe record ${w.run_id} on vprotect2: row ${w.id} is missing from vprotect.ha_drill_probe (waited 1 s for replication)`);
    expect(resultOf(r, 'Bring standby nodes back')).to.equal(undefined);
    expect(resultOf(r, REPORT)).to.equal(undefined);
    expect([...pair.standby]).to.deep.equal(['vprotect1']);
  });

  it('a probe file that differs on the node that took over fails with both checksums', async () => {
    await start({ storage: true, replicateFiles: false });
    pair.hosts.get('vprotect2')!.file(PROBE, 'an older drill\n');
    const r = await runFake(failover, pair);
    expect(r.exitCode).to.equal(2);
    const w = written(pair);
    expect(msgOf(r, CHECK_OVER)).to.equal(
      `probe record ${w.run_id} on vprotect2: file ${PROBE} has sha256 ${sha256('an older drill\n')} instead of ${w.file_sha256}`,
    );
  });

  it('--check writes nothing and moves nothing, and says what the drill would do', async () => {
    await start({ storage: true });
    const r = await runFake(failover, pair, { check: true });
    expect(r.exitCode, r.results.join('\n')).to.equal(0);
    expect(msgOf(r, 'Drill: write a probe record through the active node')).to.equal(`would write a new probe record on vprotect1: ${PROBE} and a row in vprotect.ha_drill_probe`);
    expect(msgOf(r, 'Drill: watch the vProtect API on the floating IP from the controller (fail-over)')).to.match(/^would watch http:\/\/127\.0\.0\.1:\d+\/api every 200 ms from the controller during the fail-over$/);
    expect(msgOf(r, REPORT)).to.match(/^drill \(check mode\): would watch the API on 127\.0\.0\.1:\d+ during each move and check a probe record after it; nothing measured$/);
    const commands = [...pair.hosts.values()].flatMap((c) => c.commands);
    expect(commands.filter((c) => /^pcs node|^sync|^mountpoint/.test(c))).to.deep.equal([]);
    expect([...pair.hosts.values()].some((c) => c.ops.some((o) => o.kind === 'put' && o.path === PROBE))).to.equal(false);
    expect(pair.rows.size).to.equal(0);
  });

  it('refuses to fail over when the other node could not take over: nothing written, nothing moved', async () => {
    await start({ storage: true });
    pair.standby.add('vprotect2');
    const r = await runFake(failover, pair, { tags: tags(['failover']) });
    expect(r.exitCode).to.equal(2);
    expect(msgOf(r, 'The other node can take over (online, not in standby)')).to.equal(
      'vprotect2 is in standby: putting vprotect1 in standby would stop the services. Bring it back first (failover.ts --tags failback)',
    );
    expect(pair.rows.size).to.equal(0);
    expect([...pair.standby]).to.deep.equal(['vprotect2']);
  });

  it('a bad drill variable stops the run before any host is touched', async () => {
    await start({ storage: true });
    let error: unknown;
    await runFake(failover, pair, { extraVars: { drill_api_url: 'not a url' } }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(/^failover\.ts drill, host vprotect1: variable 'drill_api_url': /);
    expect([...pair.hosts.values()].flatMap((c) => c.commands)).to.deep.equal([]);
  });
});
