// The floors a run is held against, measured in every round of the run they belong to: what starting
// TypeScript costs before the playbook's first line (`npx ts-node -e 0`, and plain `node -e 0`), one fresh
// SSH connection and one command round trip on the engine's transport (latency.ts), and how busy the
// machine is with other work while the benchmark itself waits (other developers share its CPUs).
import { availableParallelism } from 'node:os';
import { machineBusyMs, timed, tailOf, type Cmd } from './child';
import type { Latency } from './latency';
import type { Probe } from './side-by-side';
import { median } from './stats';

export const FLOOR = {
  tsNode: 'floor: npx ts-node -e 0',
  node: 'floor: node -e 0',
  connect: 'floor: one fresh SSH connection',
  roundTrip: 'floor: one command round trip',
  background: 'load: other work, CPU ms per second',
} as const;

export const TS_NODE_FLOOR: Cmd = { label: 'npx ts-node -e 0', argv: ['npx', 'ts-node', '-e', '0'] };
export const NODE_FLOOR: Cmd = { label: 'node -e 0', argv: [process.execPath, '-e', '0'] };

async function wall(cmd: Cmd): Promise<number> {
  const r = await timed(cmd, 120_000);
  if (r.code !== 0) throw new Error(`${cmd.label} failed (exit ${r.code}):\n${tailOf(r)}`);
  return r.ms;
}

/** The machine's busy CPU (all cores) per second while this process only sleeps: others' load. */
async function backgroundLoad(ms = 2000): Promise<number> {
  const cpu0 = machineBusyMs();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((machineBusyMs() - cpu0) / (performance.now() - t0)) * 1000;
}

/** The per-round probe of workload (a): start-up floors, SSH floors on `inventory`'s hosts, others' load. */
export function floorProbe(inventory: string): Probe {
  return async () => {
    const latency = await timed({ label: 'bench/latency.ts', argv: ['npx', 'ts-node', 'bench/latency.ts', inventory] });
    if (latency.code !== 0) throw new Error(`bench/latency.ts failed (exit ${latency.code}):\n${tailOf(latency)}`);
    const l = JSON.parse(latency.stdout.trim().split('\n').pop()!) as Latency;
    return {
      [FLOOR.tsNode]: await wall(TS_NODE_FLOOR),
      [FLOOR.node]: await wall(NODE_FLOOR),
      [FLOOR.connect]: median(Object.values(l.connectMs)),
      [FLOOR.roundTrip]: median(Object.values(l.msPerExec)),
      [FLOOR.background]: await backgroundLoad(),
    };
  };
}

/** The per-round probe of the scale runs: others' load only (the CPU floor comes from each run's own CPU). */
export const loadProbe: Probe = async () => ({ [FLOOR.background]: await backgroundLoad() });

/** Others' load as a share of the machine, e.g. `35% of 2 CPUs`. */
export const loadShare = (cpuMsPerSecond: number): string =>
  Number.isFinite(cpuMsPerSecond) ? `${Math.round(cpuMsPerSecond / 10 / availableParallelism())}% of ${availableParallelism()} CPUs` : 'n/a';
