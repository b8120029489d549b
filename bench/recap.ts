// The PLAY RECAP lines the engine and ansible-playbook both print: `host : ok=N changed=N unreachable=N failed=N ...`.

export interface HostRecap {
  readonly ok: number;
  readonly changed: number;
  readonly unreachable: number;
  readonly failed: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const LINE = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/;

/** Per host, from the last PLAY RECAP in the output (a playbook with several plays prints one). */
export function parseRecap(stdout: string): Map<string, HostRecap> {
  const lines = stdout.replace(ANSI, '').split('\n');
  const start = lines.map((l) => l.startsWith('PLAY RECAP')).lastIndexOf(true);
  const out = new Map<string, HostRecap>();
  if (start < 0) return out;
  for (const line of lines.slice(start + 1)) {
    const m = LINE.exec(line.trim());
    if (m) out.set(m[1]!, { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) });
  }
  return out;
}

/**
 * Why a run does not count as the expected work, or undefined when it does: every host of the
 * inventory in the recap, none failed or unreachable, and exactly `changedPerHost` changes each.
 */
export function recapProblem(stdout: string, hosts: readonly string[], changedPerHost: number): string | undefined {
  const recap = parseRecap(stdout);
  if (recap.size === 0) return 'no PLAY RECAP in the output';
  const problems: string[] = [];
  for (const h of hosts) {
    const r = recap.get(h);
    if (!r) problems.push(`${h} missing from the recap`);
    else if (r.failed || r.unreachable) problems.push(`${h} failed=${r.failed} unreachable=${r.unreachable}`);
    else if (r.changed !== changedPerHost) problems.push(`${h} changed=${r.changed} (expected ${changedPerHost})`);
  }
  return problems.length ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; ... (${problems.length} hosts)` : '') : undefined;
}

/** A run of the engine or ansible-playbook counts when it exits 0 and its recap shows the expected work. */
export const recapCheck = (r: { readonly code: number; readonly stdout: string }, hosts: readonly string[], changedPerHost: number): string | undefined =>
  r.code !== 0 ? `exit ${r.code}` : recapProblem(r.stdout, hosts, changedPerHost);
