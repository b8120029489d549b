// pyinfra's own report of a run (recorded outputs of pyinfra 3.0b0 running bench/pyinfra/deploy.py on
// two lab hosts): a run counts only when every host's status lines show the expected work.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pyinfraProblem, pyinfraStatuses } from '../../../bench/pyinfra-summary';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'bench', name), 'utf8');
const FIRST = fixture('pyinfra-first-run.txt');
const RERUN = fixture('pyinfra-rerun.txt');
const HOSTS = ['vprotect1', 'vprotect2'];

describe('bench: pyinfra summary checks', () => {
  it('counts each host\'s operation status lines: Success changed something, No changes did not', () => {
    expect(pyinfraStatuses(FIRST).get('vprotect1')).to.deep.equal({ changed: 20, unchanged: 0, failed: 0 });
    expect(pyinfraStatuses(RERUN).get('vprotect2')).to.deep.equal({ changed: 0, unchanged: 20, failed: 0 });
  });

  it('accepts a first run with 20 changes per host and a rerun with none, and nothing else', () => {
    expect(pyinfraProblem(FIRST, HOSTS, 20, 20)).to.equal(undefined);
    expect(pyinfraProblem(RERUN, HOSTS, 20, 0)).to.equal(undefined);
    expect(pyinfraProblem(RERUN, HOSTS, 20, 20)).to.match(/vprotect1 changed 0 \(expected 20\)/);
    expect(pyinfraProblem(FIRST, ['vprotect1', 'vprotect3'], 20, 20)).to.match(/vprotect3 has no operation status lines/);
    expect(pyinfraProblem('--> Loading config...', HOSTS, 20, 0)).to.equal('no "--> Results:" table in the output');
  });

  it('refuses a run where an operation failed on a host (status line and Results table)', () => {
    const failed = RERUN.replace(/(--> Starting operation: copy 3 \n(?: {4}\[vprotect1\] No changes\n)? {4}\[vprotect2\]) No changes/, '$1 Error: executed 0 commands')
      .replace(/^( {4}copy 3 +2 +)2( +)-/m, (_m, a: string, b: string) => `${a}1${b}1`);
    expect(pyinfraStatuses(failed).get('vprotect2')).to.deep.equal({ changed: 0, unchanged: 19, failed: 1 });
    expect(pyinfraProblem(failed, HOSTS, 20, 0)).to.match(/operations with errors: copy 3 .*; vprotect2 failed 1 operations/);
  });
});
