// The benchmark's report: markdown lines (printed, and written to a results file on request). Shared
// helpers and workloads (c) and (d); (a) with its peers, the scale runs and the profile have files of
// their own (report-a.ts, report-scale.ts, report-profile.ts).
import type { SiteRerun } from './site-rerun';
import type { StartupCase } from './startup';
import type { StartupProfile } from './cpu-profile';
import type { SideBySide } from './side-by-side';
import { median, seconds } from './stats';

export const TARGETS = {
  siteRerunMs: 3000,
  startupMs: 1000,
  startupTypeCheckedMs: 2000,
} as const;

export const verdict = (met: boolean): string => (met ? 'MET' : 'MISSED');
export const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : 'n/a');
export const ms = (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms` : 'n/a');

/** Median of a series of a side-by-side run (NaN when it has none). */
export const med = (r: SideBySide, series: string): number => median(r.series.get(series) ?? []);

/** `| series | median | min..max | runs | machine CPU busy |` rows for the series that have samples (times in s, or ms). */
export function seriesRows(r: SideBySide, names: readonly string[], unit: (v: number) => string = seconds): string[] {
  const rows = ['| run | median | min..max | runs | machine CPU busy (median) |', '|---|---|---|---|---|'];
  for (const n of names) {
    const xs = r.series.get(n) ?? [];
    if (!xs.length) continue;
    const cpu = (r.cpu.get(n) ?? []).filter(Number.isFinite);
    rows.push(`| ${n} | ${unit(median(xs))} | ${unit(Math.min(...xs))}..${unit(Math.max(...xs))} | ${xs.length} | ${cpu.length ? seconds(median(cpu)) : '-'} |`);
  }
  return rows;
}

export function redoneLines(r: SideBySide): string[] {
  const stopped = r.aborted ? [`- ${r.hosts} hosts, forks ${r.forks}: **${r.aborted}**`] : [];
  if (!r.redone.length) return stopped;
  return [`- ${r.hosts} hosts, forks ${r.forks}: ${r.redone.length} round(s) redone because a run did not count: ` + r.redone.map((w) => `"${w}"`).join('; '), ...stopped];
}

export function siteSection(s: SiteRerun): string[] {
  const head = '## (c) playbooks/site.ts no-op rerun on the two-node lab (start-up included)';
  if (!s.measured) return [head, '', `Skipped: ${s.why}`];
  const lines = [head, '', '| command | median | min..max | runs | target < 3 s |', '|---|---|---|---|---|'];
  for (const [label, xs] of s.series) {
    const m = median(xs);
    lines.push(`| \`${label}\` | ${seconds(m)} | ${seconds(Math.min(...xs))}..${seconds(Math.max(...xs))} | ${xs.length} | **${verdict(m < TARGETS.siteRerunMs)}** |`);
  }
  lines.push('', '- every counted run: PLAY RECAP changed=0 on every host, nothing failed or unreachable');
  if (s.redone.length) lines.push(`- runs repeated because they did not count (shared lab): ${s.redone.join('; ')}`);
  const p = s.profile;
  if (p) {
    const roles = Object.entries(p.byRole).filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
    lines.push(
      `- profiled rerun (in-process): node + ts-node ${(p.bootMs / 1000).toFixed(2)} s, imports ${(p.importMs / 1000).toFixed(2)} s, run ${(p.runMs / 1000).toFixed(2)} s; ` +
        `commands (sshd sessions) per host ${Object.entries(p.hosts).map(([h, st]) => `${h} ${st.execs} (${st.sessions})`).join(', ')} for ${p.tasks} tasks`,
      `- run time by role (each task at its slowest host): ${roles.map(([r, ms]) => `${r} ${(ms / 1000).toFixed(2)} s`).join(', ')}`,
      `- slowest tasks: ${p.slowest.join('; ')}`,
    );
  }
  return lines;
}

export function startupSection(file: string, cases: readonly StartupCase[], profile?: StartupProfile): string[] {
  const lines = [`## (d) start-up of ${file}`, '', '| command | median | runs | target |', '|---|---|---|---|'];
  for (const c of cases) {
    const limit = c.typeCheck === 'on' ? TARGETS.startupTypeCheckedMs : TARGETS.startupMs;
    const result = c.ms === undefined ? `failed: ${c.error}` : seconds(c.ms);
    const met = c.reference ? 'reference' : c.ms === undefined ? 'n/a' : `< ${seconds(limit)} **${verdict(c.ms < limit)}**`;
    lines.push(`| \`${c.label}\` | ${result} | ${c.samples.length} | ${met} |`);
  }
  if (profile) {
    lines.push(
      '',
      `- CPU profile of \`--help\` (${profile.tsFiles} .ts files transpiled, ${profile.packageFiles} package files): ` +
        profile.top.slice(0, 6).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ') + ` of ${profile.totalMs.toFixed(0)} ms`,
    );
  }
  return lines;
}
