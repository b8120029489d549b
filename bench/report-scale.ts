// The scale runs in the report: the no-op rerun on 2, 50 and 200 light hosts at one fork count, per
// tool, each with its CPU floor (the whole machine's busy CPU during that run over the CPU count: no run
// of that work can take less on this machine), the growth curve against the smallest host count, and
// the engine's speed-up over each peer at each size.
import { availableParallelism } from 'node:os';
import type { RunProfile } from './profile';
import { FLOOR, loadShare } from './floors';
import { ENGINE, rerunOf, rerunSpeedup, type SideBySide } from './side-by-side';
import { median, seconds } from './stats';
import { med, redoneLines, verdict, x } from './report';

/**
 * The least wall time the run's own work could take on this machine: the whole machine's busy CPU during
 * the run, less what other work used meanwhile (its rate from the same rounds' idle probe), over the CPUs.
 */
export function cpuFloorMs(r: SideBySide, series: string): number {
  const others = med(r, FLOOR.background); // CPU ms per wall second
  const own = median(r.cpu.get(series) ?? []) - (Number.isFinite(others) ? (others * med(r, series)) / 1000 : 0);
  return Math.max(0, own) / availableParallelism();
}

/** Above this share of the machine taken by other work, what is left of a run's CPU says nothing. */
const SATURATED = 0.5;

/** Median rerun and its CPU floor, e.g. `2.86 s (floor 2.54 s, 3 runs)`. */
function cell(r: SideBySide, tool: string): string {
  const xs = r.series.get(rerunOf(tool)) ?? [];
  if (!xs.length) return 'not run';
  const saturated = med(r, FLOOR.background) / 1000 / availableParallelism() > SATURATED;
  const floor = saturated ? 'floor n/a: other work' : `floor ${seconds(cpuFloorMs(r, rerunOf(tool)))}`;
  return `${seconds(median(xs))} (${floor}, ${xs.length} run${xs.length > 1 ? 's' : ''})`;
}

export function scaleSection(runs: readonly SideBySide[], forks: number): string[] {
  const tools = runs[0]?.tools ?? [ENGINE];
  const peers = tools.filter((t) => t !== ENGINE);
  const lines = [
    `## (b) scale: the no-op rerun of the same 20 tasks on ${runs.map((r) => r.hosts).join(', ')} light lab hosts, forks ${forks}`,
    '',
    'Light hosts are sshd-only namespaces on this machine: they share its CPUs with the tools. Each cell: median no-op rerun ' +
      `(its CPU floor: the whole machine's busy CPU during the run, less other work's share measured in the same rounds, / ${availableParallelism()} CPUs: ` +
      `the least that run's work, the tool and the hosts' sshd and shells together, could take here; n/a when other work took over ${SATURATED * 100}% of the machine).`,
    '',
    `| hosts | ${tools.map((t) => `${t} rerun`).join(' | ')} | ${peers.map((p) => `speed-up vs ${p}`).join(' | ')} | other work on the machine |`,
    `|---|${tools.map(() => '---|').join('')}${peers.map(() => '---|').join('')}---|`,
  ];
  for (const r of runs) {
    lines.push(`| ${r.hosts} | ${tools.map((t) => cell(r, t)).join(' | ')} | ${peers.map((p) => x(rerunSpeedup(r, p))).join(' | ')} | ${loadShare(med(r, FLOOR.background))} |`);
  }
  const base = runs[0];
  if (base && runs.length > 1) {
    lines.push('', `Growth against ${base.hosts} hosts (time / ${base.hosts}-host time; per added host: the slope between the two largest sizes):`, '');
    for (const t of tools) {
      const b = med(base, rerunOf(t));
      const growth = runs.slice(1).map((r) => `${r.hosts} hosts ${x(med(r, rerunOf(t)) / b)}`);
      const [p, q] = runs.slice(-2) as [SideBySide, SideBySide];
      const slope = (med(q, rerunOf(t)) - med(p, rerunOf(t))) / (q.hosts - p.hosts);
      lines.push(`- ${t}: ${growth.join(', ')}; ${Number.isFinite(slope) ? `${slope.toFixed(1)} ms` : 'n/a'} per added host`);
    }
    // Issue 6 (b): time grows no worse than hosts/forks (batches of `forks` hosts against the baseline's).
    for (const r of runs.slice(1)) {
      const bound = Math.ceil(r.hosts / forks) / Math.ceil(base.hosts / forks);
      const growth = med(r, rerunOf(ENGINE)) / med(base, rerunOf(ENGINE));
      lines.push(`- engine rerun, ${r.hosts} hosts: ${x(growth)} the ${base.hosts}-host time; bound hosts/forks = ${x(bound)} (issue 6): **${verdict(growth <= bound)}**`);
    }
  }
  lines.push('', ...runs.flatMap(redoneLines));
  return lines;
}

export function scaleProfileLine(hosts: number, forks: number, p: RunProfile, machineCpuMs: number): string {
  const hs = Object.values(p.hosts);
  const avg = (f: (h: (typeof hs)[number]) => number): string => (hs.length ? (hs.reduce((n, h) => n + f(h), 0) / hs.length).toFixed(1) : 'n/a');
  return (
    `- profiled engine no-op rerun, ${hosts} hosts, forks ${forks} (bench/profile.ts): run ${seconds(p.runMs)}; ` +
    `${avg((h) => h.execs)} commands, ${avg((h) => h.sessions)} sshd sessions and ${avg((h) => h.handshakes)} handshakes per host; engine process CPU ${seconds(p.cpuMs)}, ` +
    `whole machine busy ${seconds(machineCpuMs)} (the rest is the lab hosts' sshd and shells on the same ${availableParallelism()} CPUs)`
  );
}
