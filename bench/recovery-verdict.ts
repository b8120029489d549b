// "What dominates, and what a user could tune": derived from the measured phases of one scenario (their
// medians over the rounds), naming the largest phases on the critical path and the setting that governs each.
import { governs } from './recovery-knobs';
import type { Settings } from './recovery-settings';
import { decidingPhases, goalOf, type MilestoneSummary } from './recovery-summary';
import type { Scenario } from './recovery-timeline';
import { seconds } from './stats';

const pct = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`;

/** How many phases to name: the largest, and the next one when it is at least a quarter of the total. */
const RUNNER_UP_SHARE = 0.25;

export function verdictLines(scenario: Scenario, title: string, summary: readonly MilestoneSummary[], s: Settings): string[] {
  const goal = goalOf(summary);
  if (!goal || goal.seen === 0) return [`- **${title}**: the API never answered from the other node within the time limit: no phase to blame from these rounds.`];
  const total = goal.atMs;
  const phases = decidingPhases(summary);
  const [top, next] = phases;
  const lines = [`- **${title}**: ${seconds(total)} from the event to ${goal.label} (median of ${goal.seen} round${goal.seen === 1 ? '' : 's'}${goal.seen < goal.of ? `; it never came in ${goal.of - goal.seen}` : ''}).`];
  if (top) lines.push(`  The largest phase on the critical path is "${top.label}": ${seconds(top.phaseMs)} (${pct(top.phaseMs, total)}): ${governs(scenario, top.id, s)}.`);
  if (next && next.phaseMs >= RUNNER_UP_SHARE * total) lines.push(`  Next: "${next.label}", ${seconds(next.phaseMs)} (${pct(next.phaseMs, total)}): ${governs(scenario, next.id, s)}.`);
  const rest = phases.slice(next && next.phaseMs >= RUNNER_UP_SHARE * total ? 2 : 1);
  if (rest.length) lines.push(`  The other ${rest.length === 1 ? 'phase on the path takes' : `${rest.length} phases on the path take`} ${seconds(rest.reduce((n, p) => n + p.phaseMs, 0))}${rest.length === 1 ? '' : ' together'}.`);
  lines.push(...detectionLines(scenario, summary, s));
  return lines;
}

/** After a cut: how the measured detection compares with what corosync's and DRBD's timeouts predict. */
function detectionLines(scenario: Scenario, summary: readonly MilestoneSummary[], s: Settings): string[] {
  if (scenario !== 'power cut') return [];
  const out: string[] = [];
  const seen = summary.find((x) => x.id === 'seen');
  if (seen && Number.isFinite(seen.atMs) && s.token.ms !== undefined && s.consensus.ms !== undefined) {
    const predicted = s.token.ms + s.consensus.ms;
    out.push(
      `  Pacemaker noticed the cut after ${seconds(seen.atMs)}; corosync's token (${s.token.ms} ms) + consensus (${s.consensus.ms} ms) = ${seconds(predicted)}` +
        (seen.atMs >= predicted ? `, the other ${seconds(seen.atMs - predicted)} being the new membership and pacemaker's own reaction.` : ': it noticed within that.'),
    );
  }
  const drbd = summary.find((x) => x.id === 'drbdPeerLost');
  const { pingInt, pingTimeout } = s.drbd;
  if (drbd && Number.isFinite(drbd.atMs) && pingInt.ms !== undefined && pingTimeout.ms !== undefined) {
    out.push(`  DRBD noticed the lost peer after ${seconds(drbd.atMs)} (ping-int ${pingInt.ms} ms + ping-timeout ${pingTimeout.ms} ms = ${seconds(pingInt.ms + pingTimeout.ms)} at most on an idle link).`);
  }
  return out;
}
