// Rounds of one scenario folded into one row per milestone: medians of its offset and of its phase, and how
// often it was on the critical path; and the phases that decide the recovery time, largest first.
import { median } from './stats';
import type { MilestoneId, Reached } from './recovery-timeline';

export interface MilestoneSummary {
  readonly id: MilestoneId;
  readonly label: string;
  /** Rounds in which it was seen, of `of`. */
  readonly seen: number;
  readonly of: number;
  /** Medians over the rounds it was seen in (NaN when never). */
  readonly atMs: number;
  readonly minAtMs: number;
  readonly maxAtMs: number;
  readonly phaseMs: number;
  /** Rounds in which it was on the critical path. */
  readonly critical: number;
}

/** One row per milestone, in the first round's order (every round of a scenario has the same milestones). */
export function summarize(rounds: readonly (readonly Reached[])[]): MilestoneSummary[] {
  const ids = rounds[0]?.map((r) => r.id) ?? [];
  return ids.map((id) => {
    const rows = rounds.map((round) => round.find((r) => r.id === id)).filter((r): r is Reached => r !== undefined);
    const ats = rows.flatMap((r) => (r.at !== undefined ? [r.at] : []));
    const phases = rows.flatMap((r) => (r.phaseMs !== undefined ? [r.phaseMs] : []));
    return {
      id,
      label: rows[0]?.label ?? id,
      seen: ats.length,
      of: rounds.length,
      atMs: median(ats),
      minAtMs: ats.length ? Math.min(...ats) : NaN,
      maxAtMs: ats.length ? Math.max(...ats) : NaN,
      phaseMs: median(phases),
      critical: rows.filter((r) => r.critical).length,
    };
  });
}

/** The goal's row: the last milestone (the API answering from the node that took over). */
export const goalOf = (summary: readonly MilestoneSummary[]): MilestoneSummary | undefined => summary[summary.length - 1];

/**
 * The phases on the critical path in at least half the rounds, largest median first: what the recovery time
 * is made of. A phase off that path (e.g. DRBD noticing a lost peer before pacemaker did) delayed nothing.
 */
export function decidingPhases(summary: readonly MilestoneSummary[]): MilestoneSummary[] {
  return summary
    .filter((s) => s.of > 0 && s.critical * 2 >= s.of && Number.isFinite(s.phaseMs))
    .sort((a, b) => b.phaseMs - a.phaseMs);
}
