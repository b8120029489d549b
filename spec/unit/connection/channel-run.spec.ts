// runOnChannel against a scripted channel: the exit status may have been emitted before it listens.
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { runOnChannel } from '../../../engine/connection/channel-run';

/** Enough of ssh2's ClientChannel for runOnChannel: a readable stdout, a stderr, end/close. */
function scriptedChannel(): ClientChannel & EventEmitter {
  const ch = new PassThrough() as unknown as ClientChannel & EventEmitter;
  Object.assign(ch, { stderr: new PassThrough(), close: () => undefined });
  return ch;
}

const opts = { token: 't', pidWaitMs: 10, kill: async () => undefined, lost: () => new Error('lost') };

describe('runOnChannel', () => {
  it("takes the exit code from 'close' when 'exit' fired before anyone listened", async () => {
    const ch = scriptedChannel();
    ch.emit('exit', 3); // no listener yet: ssh2 delivered exit-status in the same read as the channel
    const run = runOnChannel(ch, opts);
    ch.emit('close', 3, undefined);
    expect((await run).code).to.equal(3);
  });

  it('reports a lost connection when the channel closes with no exit status at all', async () => {
    const ch = scriptedChannel();
    const run = runOnChannel(ch, opts);
    ch.emit('close');
    let err: unknown;
    await run.catch((e: unknown) => (err = e));
    expect((err as Error).message).to.equal('lost');
  });

  it('maps a signal to 128+n', async () => {
    const ch = scriptedChannel();
    const run = runOnChannel(ch, opts);
    ch.emit('exit', null, 'SIGKILL');
    ch.emit('close', null, 'SIGKILL');
    expect((await run).code).to.equal(137);
  });
});
