// What pyinfra itself reports about a run: per operation and host a status line (`[host] Success`
// when it executed commands, `[host] No changes` when it had nothing to do, an error line otherwise),
// then the `--> Results:` table (Operation, Hosts, Success, Error, ...). pyinfra logs both to stderr.

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const STATUS = /^\[([^\]]+)\]\s+(Success|No changes|Skipped|Error\b.*)$/;

export interface PyinfraHostCounts {
  changed: number;
  unchanged: number;
  failed: number;
}

/** Per host: operations that changed something, changed nothing, failed. */
export function pyinfraStatuses(output: string): Map<string, PyinfraHostCounts> {
  const out = new Map<string, PyinfraHostCounts>();
  for (const raw of output.replace(ANSI, '').split('\n')) {
    const m = STATUS.exec(raw.trim());
    if (!m) continue;
    const counts = out.get(m[1]!) ?? { changed: 0, unchanged: 0, failed: 0 };
    if (m[2] === 'Success') counts.changed += 1;
    else if (m[2] === 'No changes' || m[2] === 'Skipped') counts.unchanged += 1;
    else counts.failed += 1;
    out.set(m[1]!, counts);
  }
  return out;
}

/** The rows of the final `--> Results:` table whose Error column is not empty ('-'). */
function resultErrors(output: string): string[] | undefined {
  const lines = output.replace(ANSI, '').split('\n');
  const start = lines.findIndex((l) => l.trim() === '--> Results:');
  if (start < 0) return undefined;
  const rows = lines.slice(start + 2).map((l) => l.trim()).filter((l) => l && !l.startsWith('-->'));
  // Operation names may hold spaces: the four columns after them are Hosts, Success, Error, No Change.
  return rows.filter((r) => r.split(/\s+/).slice(-2)[0] !== '-');
}

/**
 * Why a pyinfra run does not count as the expected work, or undefined when it does: the Results table
 * printed without errors, and for every host exactly `operations` status lines, `changedPerHost` of them
 * `Success`, none failed.
 */
export function pyinfraProblem(output: string, hosts: readonly string[], operations: number, changedPerHost: number): string | undefined {
  const errors = resultErrors(output);
  if (!errors) return 'no "--> Results:" table in the output';
  const problems = errors.length ? [`operations with errors: ${errors.slice(0, 3).join(' | ')}`] : [];
  const statuses = pyinfraStatuses(output);
  for (const h of hosts) {
    const s = statuses.get(h);
    if (!s) problems.push(`${h} has no operation status lines`);
    else if (s.failed) problems.push(`${h} failed ${s.failed} operations`);
    else if (s.changed + s.unchanged !== operations) problems.push(`${h} reported ${s.changed + s.unchanged} operations (expected ${operations})`);
    else if (s.changed !== changedPerHost) problems.push(`${h} changed ${s.changed} (expected ${changedPerHost})`);
  }
  return problems.length ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; ... (${problems.length} problems)` : '') : undefined;
}
