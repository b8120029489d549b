// The profile in the report: where the engine's no-op rerun of workload (a) goes (in-process phases,
// round trips, packages loaded, CPU by owner) and what `npx ts-node` costs before the playbook's first
// line, part by part.
import type { StartupProfile } from './cpu-profile';
import type { RunProfile } from './profile';
import { STARTUP_PART_CMDS, type StartupParts } from './startup-parts';
import { median } from './stats';
import { ms } from './report';

export interface ProfileFigures {
  readonly plain: readonly RunProfile[];
  /** One command round trip on an open connection (bench/latency.ts). */
  readonly latencyMs: number;
  /** CPU by owner of a whole no-op rerun (`node --cpu-prof -r ts-node/register/transpile-only ...`). */
  readonly rerunCpu: StartupProfile;
  readonly startup: StartupProfile;
  readonly parts: StartupParts;
}

const top = (p: StartupProfile, n: number): string => p.top.slice(0, n).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ') + ` of ${p.totalMs.toFixed(0)} ms`;

/** The packages that took longest to load (median over runs), e.g. `handlebars 21 ms, commander 6 ms`. */
function packages(ps: readonly RunProfile[], phase: 'import' | 'run'): string {
  const names = new Set(ps.flatMap((p) => Object.keys(p.packagesMs[phase])));
  const rows = [...names].map((n) => [n, median(ps.map((p) => p.packagesMs[phase][n] ?? 0))] as const).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, [, v]) => s + v, 0);
  return rows.length ? `${rows.slice(0, 6).map(([n, v]) => `${n} ${ms(v)}`).join(', ')} (all packages ${ms(total)})` : 'none';
}

export function profileSection(p: ProfileFigures, taskCount: number): string[] {
  const m = (f: (q: RunProfile) => number): string => ms(median(p.plain.map(f)));
  const first = p.plain[0];
  const hosts = first ? Object.entries(first.hosts) : [];
  const execs = hosts.map(([, s]) => s.execs);
  return [
    `### Where the engine's no-op rerun goes (in-process profile, bench/profile.ts, median of ${p.plain.length} runs)`,
    '',
    `- round trips per host: ${execs.join(', ')} commands for ${taskCount} tasks = 1 fact-gathering command + ${hosts.length ? ((execs[0]! - 1) / taskCount).toFixed(2) : 'n/a'} per task; ` +
      `sshd sessions per host: ${hosts.map(([, s]) => s.sessions).join(', ')}; SSH handshakes per host: ${hosts.map(([, s]) => s.handshakes).join(', ')}`,
    `- node + ts-node start: ${m((q) => q.bootMs)}; importing the playbook (engine, modules, libraries, each .ts transpiled): ${m((q) => q.importMs)}; ` +
      `run: ${m((q) => q.runMs)}`,
    `- inside the run: type-check gate (sources unchanged: the stamp's files rehashed) ${m((q) => q.typeCheckMs)}, inventory and plan ${m((q) => q.inventoryMs)}, ` +
      `first task (SSH handshake + facts) ${m((q) => q.firstTaskMs)}, every other task ${m((q) => q.taskMs)} per host, closing the connections ${m((q) => q.closeMs)}`,
    `- packages loaded while importing the playbook: ${packages(p.plain, 'import')}; during the run (lazily): ${packages(p.plain, 'run')}`,
    `- one command round trip on an open connection (\`true\` through the command shell): ${p.latencyMs.toFixed(1)} ms`,
    `- CPU of a whole no-op rerun by owner (\`node --cpu-prof -r ts-node/register/transpile-only bench/workload.ts -i INV\`, ${p.rerunCpu.tsFiles} .ts files and ${p.rerunCpu.packageFiles} package files loaded): ${top(p.rerunCpu, 8)}`,
    `- start-up CPU by owner (the same with \`--help\`): ${top(p.startup, 6)}`,
    '',
    ...startupPartsLines(p.parts),
  ];
}

/** `npx ts-node PLAYBOOK` before the playbook's first line, part by part (differences of medians). */
export function startupPartsLines(s: StartupParts): string[] {
  const c = STARTUP_PART_CMDS;
  const rows: [string, number, string][] = [
    ['node itself', s.node, `\`${c.node.label}\``],
    ['npx: npm\'s own CLI, then a shell that starts the bin', s.npxTsNode - s.tsNode, `\`${c.npxTsNode.label}\` - \`${c.tsNode.label}\` (reference: \`${c.npxNode.label}\` - \`${c.node.label}\` = ${ms(s.npxNode - s.node)})`],
    ['ts-node\'s launcher and register, in all', s.tsNode - s.node, `\`${c.tsNode.label}\` - \`${c.node.label}\``],
    ['... of which the TypeScript compiler (typescript.js, loaded to read tsconfig.json even though SWC transpiles)', s.typescript - s.node, `\`${c.typescript.label}\` - \`${c.node.label}\``],
    ['... of which the SWC binding (loaded only when a source changed since its last transpile: engine/transpile-cache.js)', s.swc - s.node, `\`${c.swc.label}\` - \`${c.node.label}\``],
    ['the floor `npx ts-node -e 0`', s.npxTsNode, `\`${c.npxTsNode.label}\``],
    ['the playbook\'s imports and `--help` (no type-check, no host)', s.help - s.npxTsNode, `\`${c.help.label}\` - \`${c.npxTsNode.label}\``],
  ];
  return [
    '#### Start-up before the playbook\'s first line, part by part (each command timed whole, interleaved; differences of medians)',
    '',
    '| part | ms | measured as |',
    '|---|---|---|',
    ...rows.map(([part, v, how]) => `| ${part} | ${ms(v)} | ${how} |`),
  ];
}
