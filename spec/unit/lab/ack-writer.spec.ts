// The power-cut writers' shared reading: the highest `ack N` from output arriving in pieces, and which
// acknowledged numbers a copy lacks.
import { expect } from 'chai';
import { AckReader, missingAcked, numberedLines } from '../../../lab/ack-writer';

describe('lab: ack writer', () => {
  it('takes the last whole `ack N` line, a line split between two chunks included; other output does not count', () => {
    const r = new AckReader();
    expect(r.acked).to.equal(0);
    r.feed('ack 1\nack 2\nac');
    expect(r.acked).to.equal(2);
    r.feed('k 3\nERROR 1062 at line 7\n');
    expect(r.acked).to.equal(3);
    r.feed('ack 4'); // not ended yet: not read
    expect(r.acked).to.equal(3);
  });

  it('names the numbers 1..acked that a copy does not hold', () => {
    expect(missingAcked(4, [4, 1, 2, 9])).to.deep.equal([3]);
    expect(missingAcked(0, [])).to.deep.equal([]);
    expect(numberedLines('record 1\nrecord 2x\nrecord 3\n', /^record (\d+)$/)).to.deep.equal([1, 3]);
  });
});
