// What `npx ts-node PLAYBOOK` costs before the playbook's first line, part by part: node itself, npx
// (npm's own CLI, which then starts the bin), ts-node's launcher and register, and inside that the
// TypeScript compiler ts-node loads to read tsconfig.json and the SWC binding it transpiles with. Each
// command is timed whole, interleaved with the others (one of each per round); a part is a difference
// of medians.
import { timed, tailOf, type Cmd } from './child';
import { median } from './stats';

const node = (label: string, script: string): Cmd => ({ label, argv: [process.execPath, '-e', script] });

export const STARTUP_PART_CMDS = {
  node: node('node -e 0', '0'),
  typescript: node(`node -e "require('typescript')"`, "require('typescript')"),
  swc: node(`node -e "require('@swc/core')"`, "require('@swc/core')"),
  tsNode: { label: 'node_modules/.bin/ts-node -e 0', argv: ['node_modules/.bin/ts-node', '-e', '0'] },
  npxNode: { label: 'npx --no-install node -e 0', argv: ['npx', '--no-install', 'node', '-e', '0'] },
  npxTsNode: { label: 'npx ts-node -e 0', argv: ['npx', 'ts-node', '-e', '0'] },
  help: { label: 'npx ts-node bench/workload.ts --help', argv: ['npx', 'ts-node', 'bench/workload.ts', '--help'] },
} as const satisfies Record<string, Cmd>;

export type StartupPartName = keyof typeof STARTUP_PART_CMDS;

/** Median wall time (ms) of each command. */
export type StartupParts = Readonly<Record<StartupPartName, number>>;

export async function measureStartupParts(rounds: number): Promise<StartupParts> {
  const names = Object.keys(STARTUP_PART_CMDS) as StartupPartName[];
  const samples = new Map<StartupPartName, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const t = await timed(STARTUP_PART_CMDS[n], 120_000);
      if (t.code !== 0) throw new Error(`${STARTUP_PART_CMDS[n].label} failed (exit ${t.code}):\n${tailOf(t)}`);
      samples.get(n)!.push(t.ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples.get(n)!)])) as StartupParts;
}
