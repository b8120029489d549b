// The drill's one-line report (playbooks/drill/report.ts), for each shape of run.
import { expect } from 'chai';
import { drillReport } from '../../../playbooks/drill/report';

const endpoint = '10.40.1.100:8080';

describe('failover.ts: the drill report', () => {
  it('over and back, with the data mount: each outage and where the file and the row were found intact', () => {
    const msg = drillReport({
      endpoint,
      moves: [
        { label: 'fail-over', unavailableMs: 4230, checkedOn: 'vprotect2' },
        { label: 'fail-back', unavailableMs: 3080, checkedOn: 'vprotect1' },
      ],
      record: { rowId: 17, file: true },
    });
    expect(msg).to.equal(
      'drill: API on 10.40.1.100:8080 unavailable 4.2 s during fail-over, 3.1 s during fail-back; probe records: file sha256 ok on vprotect2 and vprotect1, row 17 ok on vprotect2 and vprotect1',
    );
  });

  it('one move, the row alone (no DRBD)', () => {
    expect(drillReport({ endpoint, moves: [{ label: 'fail-back', unavailableMs: 40, checkedOn: 'vprotect1' }], record: { rowId: 3, file: false } })).to.equal(
      'drill: API on 10.40.1.100:8080 unavailable 0.0 s during fail-back; probe records: row 3 ok on vprotect1',
    );
  });

  it('a fail-back the API did not answer before: not measured, and no record to check; and a run that moved nothing', () => {
    expect(drillReport({ endpoint, moves: [{ label: 'fail-back' }] })).to.equal(
      'drill: API on 10.40.1.100:8080 not measured during fail-back (it did not answer before); probe records: none to check (this run wrote none and found none before the fail-back)',
    );
    expect(drillReport({ endpoint, moves: [{ label: 'fail-back', unavailableMs: 2000 }] })).to.equal(
      'drill: API on 10.40.1.100:8080 unavailable 2.0 s during fail-back; probe records: none to check (this run wrote none and found none before the fail-back)',
    );
    expect(drillReport({ endpoint, moves: [] })).to.equal('drill: nothing moved (no node to fail over or back), nothing measured on 10.40.1.100:8080');
  });
});
