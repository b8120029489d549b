// The fail-over drill's report (failover.ts's last task) as the integration specs read it from a run's events:
// the format checked in full, then the outage and the probe row's id taken from it.
import { expect } from 'chai';
import { STANDIN_PORT, VIP } from '../../lab/config';
import { messageOf, type PlaybookRun } from './playbook-run';

export const DRILL_REPORT_TASK = 'Drill report';

export interface DrillReading {
  /** How long the API on the floating IP was unavailable during the move, in seconds. */
  readonly seconds: number;
  /** The probe row found intact after it. */
  readonly rowId: number;
  readonly msg: string;
}

/**
 * The report of a run that made one move (`--tags failover` or `--tags failback`), its probe record found
 * intact on `on`: with the file on the data mount when `file` (DRBD), else the row alone. Fails the spec
 * with the message when it does not read so. The report is a run-once task: it runs on the play's first host.
 */
export function drillReading(r: PlaybookRun, move: 'fail-over' | 'fail-back', on: string, file: boolean): DrillReading {
  const msg = messageOf(r, DRILL_REPORT_TASK, 'vprotect1') ?? '(no drill report)';
  const records = `${file ? `file sha256 ok on ${on}, ` : ''}row (\\d+) ok on ${on}`;
  const m = new RegExp(`^drill: API on ${VIP.replace(/\./g, '\\.')}:${STANDIN_PORT} unavailable (\\d+\\.\\d) s during ${move}; probe records: ${records}$`).exec(msg);
  expect(m, `drill report: ${msg}`).to.not.equal(null);
  return { seconds: Number(m![1]), rowId: Number(m![2]), msg };
}
