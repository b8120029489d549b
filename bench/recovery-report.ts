// The recovery benchmark's markdown report (stdout, pasted into bench/RESULTS.md): the machine and the
// command, the settings read from the cluster, one table per scenario with medians over the rounds, the
// records check, and the verdict derived from the phases.
import type { Machine } from './machine';
import { IDS } from '../roles/pacemaker/layout';
import { DRBD_RESOURCE } from './recovery-probe';
import { settingText, type Settings } from './recovery-settings';
import { goalOf, summarize } from './recovery-summary';
import { SCENARIOS, type Move, type Reached, type Scenario } from './recovery-timeline';
import { verdictLines } from './recovery-verdict';
import { median, seconds } from './stats';

/** Median ms between consecutive readings of each probe: how finely the timeline can place a milestone. */
export interface Resolution {
  readonly cluster: number;
  readonly node: number;
  readonly api: number;
}

export interface RecordsCheck {
  readonly acked: number;
  readonly missing: number;
  /** The node whose copy was read. */
  readonly on: string;
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly round: number;
  readonly move: Move;
  /** What was done at the event, e.g. "`pcs node standby vprotect1` on vprotect1". */
  readonly event: string;
  readonly reached: readonly Reached[];
  readonly resolution: Resolution;
  readonly records?: RecordsCheck;
}

export interface RecoveryReport {
  readonly started: Date;
  readonly command: string;
  readonly machine: Machine;
  readonly load: { readonly start: string; readonly end: string };
  readonly preferred: string;
  readonly settings?: Settings;
  readonly rounds: number;
  readonly runs: readonly ScenarioRun[];
  readonly failures: readonly string[];
  readonly lab: string;
}

const TITLES: Record<Scenario, string> = {
  standby: 'Standby fail-over',
  unstandby: 'Fail-back after standby',
  'power cut': 'Power cut of the active node',
  restart: 'The cut node back: resync and fail-back',
};

const range = (lo: number, hi: number): string => (Number.isFinite(lo) ? `${seconds(lo)}..${seconds(hi)}` : '-');

function settingsLines(s: Settings | undefined): string[] {
  if (!s) return ['- cluster settings: not read (see the failures below)'];
  const r = (id: string) => s.resources.get(id);
  return [
    `- corosync: totem token ${settingText(s.token)}, consensus ${settingText(s.consensus)}`,
    `- DRBD ${DRBD_RESOURCE}: ping-int ${settingText(s.drbd.pingInt)}, ping-timeout ${s.drbd.pingTimeout.ms ?? '?'} ms, timeout ${s.drbd.timeout.ms ?? '?'} ms, connect-int ${s.drbd.connectInt.ms ?? '?'} ms`,
    `- pacemaker (live CIB): ${IDS.ping} dampen ${r(IDS.ping)?.attributes.dampen ?? '?'}; monitor intervals ${[IDS.drbd, IDS.ping, IDS.vip, IDS.fs, IDS.server]
      .map((id) => `${id} ${r(id)?.monitorInterval ?? '?'}`)
      .join(', ')}; start timeouts ${[IDS.fs, IDS.node, IDS.server].map((id) => `${id} ${r(id)?.startTimeout ?? '?'}`).join(', ')}`,
  ];
}

function scenarioSection(scenario: Scenario, runs: readonly ScenarioRun[]): string[] {
  const first = runs[0];
  if (!first) return [];
  const summary = summarize(runs.map((r) => r.reached));
  const goal = goalOf(summary);
  const goals = runs.flatMap((r) => {
    const g = r.reached[r.reached.length - 1];
    return g?.at !== undefined ? [g.at] : [];
  });
  const res = (pick: (x: Resolution) => number): string => `${Math.round(median(runs.map((r) => pick(r.resolution))))} ms`;
  const lines = [
    `## ${TITLES[scenario]}: ${first.event}`,
    '',
    `**Event to ${goal?.label ?? 'the goal'}: ${goals.length ? `${seconds(median(goals))}** (median; ${range(Math.min(...goals), Math.max(...goals))}, ${goals.length} of ${runs.length} rounds)` : `never reached** (${runs.length} rounds)`}`,
    '',
    '| milestone | from the event (median) | min..max | its phase (median) | on the critical path |',
    '|---|---|---|---|---|',
    ...summary.map(
      (s) =>
        `| ${s.label} | ${s.seen ? seconds(s.atMs) : 'not seen'} | ${range(s.minAtMs, s.maxAtMs)} | ${s.seen ? seconds(s.phaseMs) : '-'} | ${s.critical}/${s.of}${s.seen < s.of ? ` (seen in ${s.seen})` : ''} |`,
    ),
    '',
    `Readings every ~${res((x) => x.cluster)} (crm_mon), ~${res((x) => x.node)} (drbdadm status, findmnt, systemctl), ~${res((x) => x.api)} (the API); a phase is the time from the latest of its prerequisites.`,
  ];
  const checked = runs.filter((r) => r.records);
  const unchecked = scenario === 'power cut' || scenario === 'restart' ? runs.length - checked.length : 0;
  if (checked.length) {
    const missing = checked.reduce((n, r) => n + r.records!.missing, 0);
    lines.push(
      '',
      `Acknowledged records missing on ${checked[0]!.records!.on}: ${checked.map((r) => `${r.records!.missing} of ${r.records!.acked}`).join(', ')} (must be 0: **${missing === 0 ? 'MET' : 'MISSED'}**)`,
    );
  }
  if (unchecked) lines.push('', `Records not checked in ${unchecked} round${unchecked === 1 ? '' : 's'}: the node's copy could not be read (see the timeline).`);
  return lines;
}

export function recoveryReport(r: RecoveryReport): string {
  const m = r.machine;
  const byScenario = (s: Scenario) => r.runs.filter((x) => x.scenario === s);
  const lost = r.runs.filter((x) => x.records).reduce((n, x) => n + x.records!.missing, 0);
  const checkedRounds = r.runs.filter((x) => x.records).length;
  const lines = [
    '# Recovery time: standby and power cut, to the vProtect API on the floating IP (issue 11)',
    '',
    `- date (UTC): ${r.started.toISOString()}`,
    `- command: \`${r.command}\` (${r.rounds} round${r.rounds === 1 ? '' : 's'})`,
    `- machine: nproc ${m.cpus} (${m.cpuModel}), ${m.memoryGiB} GiB memory, kernel ${m.kernel}, ${m.os}, node ${m.node}`,
    `- 1-minute load average: ${r.load.start} at start, ${r.load.end} at end`,
    `- lab: storage tier (User-Mode Linux hosts, real DRBD under /vprotect_data), preferred node ${r.preferred}`,
    ...settingsLines(r.settings),
    '',
  ];
  for (const s of SCENARIOS) {
    const runs = byScenario(s);
    if (runs.length) lines.push(...scenarioSection(s, runs), '');
  }
  lines.push(
    '## Records lost',
    '',
    checkedRounds ? `${lost} acknowledged record${lost === 1 ? '' : 's'} lost over ${checkedRounds} checks (must be 0: **${lost === 0 ? 'MET' : 'MISSED'}**).` : 'Not checked: no power cut completed.',
    '',
    '## What dominates, and what a user could tune',
    '',
  );
  for (const s of SCENARIOS) {
    const runs = byScenario(s);
    if (runs.length && r.settings) lines.push(...verdictLines(s, TITLES[s], summarize(runs.map((x) => x.reached)), r.settings));
  }
  if (r.failures.length) lines.push('', '## Failures', '', ...r.failures.map((f) => `- ${f}`));
  lines.push('', `Lab: ${r.lab}.`);
  return lines.join('\n') + '\n';
}
