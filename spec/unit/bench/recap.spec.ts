import { expect } from 'chai';
import { parseRecap, recapProblem } from '../../../bench/recap';
import { median } from '../../../bench/stats';

// Recaps as the two tools print them (ansible-playbook 2.14 default callback; the engine's plain output).
const ANSIBLE = `
TASK [template 5] **************************************************************
ok: [vprotect1]
ok: [vprotect2]

PLAY RECAP *********************************************************************
vprotect1                  : ok=21   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   
vprotect2                  : ok=21   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

`;
const ENGINE = `
PLAY RECAP **************************************************************
vprotect1 : ok=20  changed=20  unreachable=0  failed=0  skipped=0  rescued=0  ignored=0
vprotect2 : ok=0  changed=0  unreachable=1  failed=0  skipped=0  rescued=0  ignored=0
`;

describe('bench: PLAY RECAP checks', () => {
  it('reads ansible-playbook and engine recap lines alike', () => {
    expect(parseRecap(ANSIBLE).get('vprotect2')).to.deep.equal({ ok: 21, changed: 0, unreachable: 0, failed: 0 });
    expect(parseRecap(ENGINE).get('vprotect1')).to.deep.equal({ ok: 20, changed: 20, unreachable: 0, failed: 0 });
  });

  it('ignores colour codes and reads only the last recap', () => {
    const coloured = `PLAY RECAP ***\n\x1b[0;33mh1\x1b[0m : ok=1 changed=1 unreachable=0 failed=0\n\nPLAY RECAP ***\n\x1b[0;32mh1\x1b[0m : ok=2 changed=0 unreachable=0 failed=0\n`;
    expect(parseRecap(coloured).get('h1')!.changed).to.equal(0);
    expect(parseRecap(coloured).get('h1')!.ok).to.equal(2);
  });

  it('accepts a run only with the expected changes on every host, none failed or unreachable', () => {
    expect(recapProblem(ANSIBLE, ['vprotect1', 'vprotect2'], 0)).to.equal(undefined);
    expect(recapProblem(ANSIBLE, ['vprotect1', 'vprotect2'], 20)).to.match(/vprotect1 changed=0 \(expected 20\)/);
    expect(recapProblem(ENGINE, ['vprotect1', 'vprotect2'], 20)).to.match(/vprotect2 failed=0 unreachable=1/);
    expect(recapProblem(ANSIBLE, ['vprotect1', 'vprotect3'], 0)).to.match(/vprotect3 missing/);
    expect(recapProblem('no recap here', ['vprotect1'], 0)).to.equal('no PLAY RECAP in the output');
  });

  it('takes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(Number.isNaN(median([]))).to.equal(true);
  });
});
