import { expect } from 'chai';
import { ChannelGate } from '../../../engine/connection/channel-gate';

describe('channel gate', () => {
  it('admits any number of channels until the server refuses one', async () => {
    const gate = new ChannelGate();
    for (let i = 0; i < 20; i++) await gate.acquire();
    expect(gate.maxChannels).to.equal(Infinity);
  });

  it('learns the limit from a refusal and queues later opens until a channel closes', async () => {
    const gate = new ChannelGate();
    for (let i = 0; i < 4; i++) await gate.acquire();
    expect(gate.refused()).to.equal(true); // the 4th open was refused while 3 were open
    expect(gate.maxChannels).to.equal(3);
    let admitted = false;
    const waiting = gate.acquire().then(() => (admitted = true));
    await Promise.resolve();
    expect(admitted).to.equal(false);
    gate.release();
    await waiting;
    expect(admitted).to.equal(true);
  });

  it('reports a refusal with nothing else open as not a limit', async () => {
    const gate = new ChannelGate();
    await gate.acquire();
    expect(gate.refused()).to.equal(false);
    expect(gate.maxChannels).to.equal(Infinity);
  });
});
