// The benchmark's report: markdown lines (printed, and written to a results file on request).
import { availableParallelism } from 'node:os';
import type { RunProfile } from './profile';
import type { SideBySide, SeriesName } from './side-by-side';
import type { SiteRerun } from './site-rerun';
import type { StartupCase } from './startup';
import type { StartupProfile } from './cpu-profile';
import { median, seconds } from './stats';

export const TARGETS = {
  rerunSpeedup: 20,
  siteRerunMs: 3000,
  startupMs: 1000,
  startupTypeCheckedMs: 2000,
} as const;

const verdict = (met: boolean): string => (met ? 'MET' : 'MISSED');
const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : 'n/a');

function seriesRows(r: SideBySide, names: readonly SeriesName[]): string[] {
  const rows = ['| run | median | min..max | runs | machine CPU busy (median) |', '|---|---|---|---|---|'];
  for (const n of names) {
    const xs = r.series.get(n) ?? [];
    if (!xs.length) continue;
    const cpu = r.cpu.get(n) ?? [];
    rows.push(`| ${n} | ${seconds(median(xs))} | ${seconds(Math.min(...xs))}..${seconds(Math.max(...xs))} | ${xs.length} | ${seconds(median(cpu))} |`);
  }
  return rows;
}

function redoneLines(r: SideBySide): string[] {
  const stopped = r.aborted ? [`- ${r.hosts} hosts, forks ${r.forks}: **${r.aborted}**`] : [];
  if (!r.redone.length) return stopped;
  const races = r.redone.filter((w) => w.includes('exit-status race')).length;
  return [
    `- ${r.hosts} hosts, forks ${r.forks}: ${r.redone.length} round(s) redone because a run did not count, ${races} of them the engine's exit-status race: ` +
      r.redone.map((w) => `"${w}"`).join('; '),
    ...stopped,
  ];
}

const med = (r: SideBySide, n: SeriesName): number => median(r.series.get(n) ?? []);

export function workloadASection(r: SideBySide, speedup: number): string[] {
  const unchecked = med(r, 'ansible rerun') / med(r, 'engine rerun (--no-type-check)');
  const cold = med(r, 'ansible rerun') / med(r, 'engine rerun (sources changed: full type-check)');
  const js = med(r, 'ansible rerun') / med(r, 'engine rerun (precompiled JS, plain node)');
  return [
    `## (a) 20 tasks (5 each of command, lineinfile, copy, template) on ${r.hosts} lab hosts, forks ${r.forks}`,
    '',
    ...seriesRows(r, ['engine first', 'engine rerun', 'engine rerun (--no-type-check)', 'engine rerun (sources changed: full type-check)', 'engine rerun (precompiled JS, plain node)', 'ansible first', 'ansible rerun']),
    '',
    `- no-op rerun speed-up vs ansible (median of per-round ratios, engine as users run it: \`npx ts-node\`, type-checked, sources unchanged): **${x(speedup)}** ` +
      `(rounds: ${r.rerunRatios.map((v) => v.toFixed(1)).join(', ')}); target >= ${TARGETS.rerunSpeedup}x: **${verdict(speedup >= TARGETS.rerunSpeedup)}**`,
    ...(Number.isFinite(unchecked) ? [`- no-op rerun with \`--no-type-check\`: ${x(unchecked)} (ratio of medians)`] : []),
    ...(Number.isFinite(cold) ? [`- no-op rerun right after a source change (the whole program type-checked first): ${x(cold)}`] : []),
    ...(Number.isFinite(js) ? [`- no-op rerun of the engine compiled to JavaScript once (plain node, no ts-node, no npx): ${x(js)}: the floor of this design on this machine`] : []),
    `- first run speed-up: ${x(med(r, 'ansible first') / med(r, 'engine first'))}`,
    '- every counted run was checked in its PLAY RECAP: first runs changed=20 per host, reruns changed=0, none failed or unreachable',
    ...redoneLines(r),
    '',
    'Commands (INV: the benchmark\'s copy of the lab inventory, the same file for both tools):',
    ...r.commands.map((c) => `- \`${c}\``),
  ];
}

export interface ProfileFigures {
  readonly plain: readonly RunProfile[];
  /** One command round trip on an open connection (bench/latency.ts). */
  readonly latencyMs: number;
  readonly startup: StartupProfile;
}

export function profileSection(p: ProfileFigures, taskCount: number): string[] {
  const m = (ps: readonly RunProfile[], f: (q: RunProfile) => number): string => `${median(ps.map(f)).toFixed(0)} ms`;
  const first = p.plain[0];
  const hosts = first ? Object.entries(first.hosts) : [];
  const execs = hosts.map(([, s]) => s.execs);
  const lines = [
    '### Where the engine\'s no-op rerun goes (in-process profile, bench/profile.ts, median of ' + p.plain.length + ' runs)',
    '',
    `- round trips per host: ${execs.join(', ')} commands for ${taskCount} tasks = 1 fact-gathering command + ${hosts.length ? ((execs[0]! - 1) / taskCount).toFixed(2) : 'n/a'} per task; ` +
      `sshd sessions per host: ${hosts.map(([, s]) => s.sessions).join(', ')} (the command shell, plus an exec channel for each command that ` +
      `needs stdin or finds the shell busy); SSH handshakes per host: ${hosts.map(([, s]) => s.handshakes).join(', ')}`,
    `- node + ts-node start: ${m(p.plain, (q) => q.bootMs)}; importing the playbook (engine, modules, libraries, each .ts transpiled): ${m(p.plain, (q) => q.importMs)}; ` +
      `run (inventory, connect, facts, ${taskCount} tasks, recap): ${m(p.plain, (q) => q.runMs)}`,
    `- inside the run: first task (SSH handshake + facts) ${m(p.plain, (q) => q.firstTaskMs)}, every other task ${m(p.plain, (q) => q.taskMs)} per host`,
    `- one command round trip on an open connection (\`true\` through the command shell): ${p.latencyMs.toFixed(1)} ms`,
    `- start-up CPU (\`node --cpu-prof -r ts-node/register/transpile-only bench/workload.ts --help\`, ${p.startup.tsFiles} .ts files and ${p.startup.packageFiles} package files loaded): ` +
      p.startup.top.slice(0, 5).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ') + ` of ${p.startup.totalMs.toFixed(0)} ms`,
  ];
  return lines;
}

export function scaleSection(base: SideBySide, runs: readonly SideBySide[]): string[] {
  const lines = [
    `## (b) the same 20 tasks on ${runs[0]?.hosts ?? '?'} light lab hosts (sshd-only namespaces on the same machine)`,
    '',
    'The light hosts get an empty tmpfs over /root (they share the controller\'s, whose .bashrc runs `pyenv init` in every SSH session).',
    '',
    '| hosts | forks | engine first | engine rerun | ansible first | ansible rerun | engine rerun: machine CPU busy / CPUs |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of [base, ...runs]) {
    const c = (n: SeriesName) => seconds(med(r, n));
    // Busy CPU over the CPU count: the least wall time the work could take on this machine.
    const floor = median(r.cpu.get('engine rerun') ?? []) / availableParallelism();
    lines.push(`| ${r.hosts} | ${r.forks} | ${c('engine first')} | ${c('engine rerun')} | ${c('ansible first')} | ${c('ansible rerun')} | ${seconds(floor)} |`);
  }
  lines.push('', ...[base, ...runs].flatMap(redoneLines));
  for (const r of runs) {
    // hosts/forks batches against the baseline's (all its hosts fit in one batch).
    const bound = Math.ceil(r.hosts / r.forks) / Math.ceil(base.hosts / base.forks);
    for (const n of ['engine rerun', 'engine first', 'ansible rerun'] as const) {
      const growth = med(r, n) / med(base, n);
      lines.push(`- ${n}, ${r.hosts} hosts forks ${r.forks}: ${x(growth)} the ${base.hosts}-host time; bound hosts/forks = ${x(bound)}: **${verdict(growth <= bound)}**`);
    }
  }
  return lines;
}

export function scaleProfileLines(ps: readonly { forks: number; profile: RunProfile; machineCpuMs: number }[]): string[] {
  return ps.map(({ forks, profile: p, machineCpuMs }) => {
    const hosts = Object.values(p.hosts);
    const execs = hosts.length ? hosts.reduce((n, h) => n + h.execs, 0) / hosts.length : NaN;
    return (
      `- profiled no-op rerun, ${hosts.length} hosts, forks ${forks} (bench/profile.ts): run ${(p.runMs / 1000).toFixed(2)} s; ` +
      `${execs.toFixed(1)} commands, ${hosts.length ? (hosts.reduce((n, h) => n + h.sessions, 0) / hosts.length).toFixed(1) : 'n/a'} sshd sessions and ${hosts.length ? hosts[0]!.handshakes : 'n/a'} handshake per host; engine process CPU ${(p.cpuMs / 1000).toFixed(2)} s, ` +
      `whole machine busy ${(machineCpuMs / 1000).toFixed(2)} s (the rest is the lab hosts' sshd and shells on the same ${availableParallelism()} CPUs)`
    );
  });
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
