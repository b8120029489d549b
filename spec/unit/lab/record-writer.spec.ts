// The power-cut check's arithmetic: which acknowledged records a node's copy of the file lacks.
import { expect } from 'chai';
import { missingRecords } from '../../../lab/record-writer';

describe('lab: record writer', () => {
  it('names the acknowledged records the file lacks; unacknowledged and torn lines do not count', () => {
    expect(missingRecords(3, 'record 1\nrecord 2\nrecord 3\nrecord 4\n')).to.deep.equal([]);
    expect(missingRecords(5, 'record 1\nrecord 3\nrecord 4\nrec')).to.deep.equal([2, 5]);
    expect(missingRecords(2, 'record 1\nrecord 2x\n')).to.deep.equal([2]);
    expect(missingRecords(0, '')).to.deep.equal([]);
  });
});
