// A task timeout (--timeout) fails the host only once its hung command was killed: the run must not move on
// and close the host's connection while the command's own timeout is still about to kill it on the host
// (seen on the lab: the close won the race and the command kept running).
import { expect } from 'chai';
import { play, playbook, task } from '../../../engine/dsl';
import { FakeConnection } from '../../support/fake-connection';
import type { ExecOptions, ExecResult, HostName } from '../../../engine/types';
import { shell } from '../../../modules/shell';
import { removeTempDirs, runMain, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';

/** A host whose `sleep` hangs until the exec's own timeout kills it (as SshConnection does), a little late. */
class HangingHost extends FakeConnection {
  readonly log: string[] = [];

  override async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (!cmd.startsWith('sleep ')) return super.exec(cmd, opts);
    this.ops.push({ kind: 'exec', cmd, opts });
    expect(opts.timeoutMs, 'the task timeout reaches the command').to.equal(1000);
    // The kill lands after the runner's own timer (the exec started later than the task).
    await new Promise((r) => setTimeout(r, opts.timeoutMs! + 150));
    this.log.push('killed');
    return { code: 124, stdout: '', stderr: '\ntimed out after 1000 ms' };
  }

  override async close(): Promise<void> {
    this.log.push('closed');
    return super.close();
  }
}

describe('safety: a hung command under --timeout', function () {
  this.timeout(20_000);
  after(removeTempDirs);

  it('fails the host with "timed out after N s" after the command was killed, before its connection closes', async () => {
    const pb = playbook('hang', [
      play({
        name: 'hang',
        hosts: 'cluster',
        tasks: [
          task({ name: 'maybe hang', action: (h) => shell({ cmd: h.name === 'vprotect1' ? 'sleep 600' : 'true' }) }),
          task({ name: 'after', action: () => shell({ cmd: 'true' }) }),
        ],
      }),
    ]);
    const hosts = new Map<string, HangingHost>();
    const run = await runMain(pb, ['-i', tempDir({ 'hosts.yml': SITE_HOSTS_YML }), '--timeout', '1'], {
      host: (e) => {
        const h = new HangingHost(e.name as HostName).on('true', {});
        hosts.set(e.name, h);
        return h;
      },
    });
    expect(run.code).to.equal(2);
    expect(run.out).to.include('fatal: [vprotect1]: FAILED! => timed out after 1 s');
    expect(run.out).to.include('changed: [vprotect2]');
    expect(hosts.get('vprotect1')!.log).to.deep.equal(['killed', 'closed']);
  });
});
