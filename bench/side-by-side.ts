// Workloads (a) and (b): the engine and its peers in turn on the same hosts, several rounds; in each
// round every tool resets /tmp/vpha-bench, does a first run, then a no-op rerun (the order rotates from
// round to round), and the round's probes (start-up and SSH floors, the machine's background load) are
// taken. A run counts only when the tool's own summary shows the expected work: 20 changes per host
// first, none on the rerun.
import * as path from 'node:path';
import { typeCheckPlaybook } from '../engine/type-check';
import { REPO_ROOT } from '../lab/config';
import { progress, timed, tailOf, type Cmd } from './child';
import type { BenchHosts } from './lab-hosts';
import type { RunCheck } from './peers';
import { mustOnEveryHost } from './remote';
import { median } from './stats';
import { BENCH_DIR, TASK_COUNT } from './workload';

export const ENGINE = 'engine';

export interface Tool {
  /** `engine` or a peer's name; its series are `NAME first` and `NAME rerun`. */
  readonly name: string;
  readonly cmd: Cmd;
  readonly check: RunCheck;
  /** More no-op reruns timed right after this tool's rerun, each its own series (the engine's type-check modes). */
  readonly extraReruns?: readonly { readonly series: string; readonly cmd: Cmd }[];
  /** The rounds this tool takes part in, from the first (default: all); Ansible on 200 hosts is sampled. */
  readonly rounds?: number;
}

/** Measurements taken once per round besides the tools' runs, each a series of its own (ms). */
export type Probe = () => Promise<Readonly<Record<string, number>>>;

export interface SideBySide {
  readonly title: string;
  readonly hosts: number;
  readonly forks: number;
  readonly tools: readonly string[];
  /** Wall times (ms) of each series: `engine first`, `pyinfra rerun`, probes... */
  readonly series: Map<string, number[]>;
  /** Busy CPU of the whole machine (ms) during each run of a series, same order. */
  readonly cpu: Map<string, number[]>;
  /** Per peer, per round it ran in: its no-op rerun over the engine's (as users run it). */
  readonly rerunRatios: Map<string, number[]>;
  /** Why rounds were redone (first line of the failure each time). */
  readonly redone: readonly string[];
  /** Set when the rounds stopped early (the figures are from the rounds before). */
  readonly aborted?: string;
  readonly commands: readonly string[];
}

export const firstOf = (tool: string): string => `${tool} first`;
export const rerunOf = (tool: string): string => `${tool} rerun`;

/** One round's samples, kept apart until the round completes (a broken round is redone whole). */
type RoundSamples = Map<string, { readonly ms: number; readonly cpuMs: number }>;

/** A run that did not do the expected work (exit code or summary); the round it belongs to is redone. */
class RunDoesNotCount extends Error {}

async function measured(round: RoundSamples, series: string, tool: Tool, cmd: Cmd, hosts: readonly string[], changed: number): Promise<void> {
  const r = await timed(cmd);
  const problem = tool.check(r, hosts, changed);
  if (problem) throw new RunDoesNotCount(`${series} (${cmd.label}) does not count: ${problem}\n${tailOf(r)}`);
  round.set(series, { ms: r.ms, cpuMs: r.machineCpuMs });
  progress(`  ${series.padEnd(48)} ${(r.ms / 1000).toFixed(2)} s  (machine CPU busy ${(r.machineCpuMs / 1000).toFixed(2)} s)`);
}

export interface SideBySideOptions {
  readonly rounds: number;
  readonly forks: number;
  /** The engine first (its rerun is every ratio's denominator), then the peers. */
  readonly tools: readonly Tool[];
  readonly probes?: readonly Probe[];
  /** Called before a redone round: make sure the lab hosts are (still) up. */
  readonly ensureHosts?: () => Promise<unknown>;
}

/**
 * A round with a run that does not count is redone (after a pause), and the report says why: another
 * engineer's spec may reboot a host of the shared lab. At most max(3, rounds) redone rounds in all.
 */
const MIN_REDONE_ROUNDS = 3;
const REDO_PAUSE_MS = 10_000;

/** The tools of round `round` (1-based) in the order they run: rotated by one each round. */
export function roundOrder<T extends { readonly rounds?: number }>(tools: readonly T[], round: number): T[] {
  const taking = tools.filter((t) => t.rounds === undefined || round <= t.rounds);
  const k = taking.length ? (round - 1) % taking.length : 0;
  return [...taking.slice(k), ...taking.slice(0, k)];
}

export async function sideBySide(title: string, lab: BenchHosts, o: SideBySideOptions): Promise<SideBySide> {
  const names = lab.hosts.map((h) => h.name);
  const series = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const rerunRatios = new Map<string, number[]>(o.tools.filter((t) => t.name !== ENGINE).map((t) => [t.name, []]));
  const redone: string[] = [];
  const reset = () => mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);

  const runRound = async (round: number): Promise<RoundSamples> => {
    const samples: RoundSamples = new Map();
    for (const tool of roundOrder(o.tools, round)) {
      await reset().catch((e: Error) => Promise.reject(new RunDoesNotCount(`resetting ${BENCH_DIR}: ${e.message}`)));
      await measured(samples, firstOf(tool.name), tool, tool.cmd, names, TASK_COUNT);
      await measured(samples, rerunOf(tool.name), tool, tool.cmd, names, 0);
      for (const extra of tool.extraReruns ?? []) await measured(samples, extra.series, tool, extra.cmd, names, 0);
    }
    for (const probe of o.probes ?? []) for (const [name, ms] of Object.entries(await probe())) samples.set(name, { ms, cpuMs: NaN });
    return samples;
  };

  // "As users run it" means sources unchanged since the last check: an earlier workload's `cold` rows may
  // have dropped this playbook's stamp, which would put a whole type-check into the first engine run.
  const warm = typeCheckPlaybook(path.join(REPO_ROOT, 'bench', 'workload.ts'));
  if (!warm.ok) throw new Error(`bench/workload.ts does not type-check:\n${warm.report}`);

  let aborted: string | undefined;
  let completed = 0;
  for (let round = 1; round <= o.rounds; round++) {
    progress(`${title}: round ${round}/${o.rounds} (${roundOrder(o.tools, round).map((t) => t.name).join(', ')})`);
    let samples: RoundSamples;
    try {
      samples = await runRound(round);
    } catch (e) {
      const why = (e as Error).message.split('\n')[0]!;
      if (!(e instanceof RunDoesNotCount) || redone.length >= Math.max(MIN_REDONE_ROUNDS, o.rounds)) {
        if (completed === 0) throw e;
        aborted = `stopped after ${completed} of ${o.rounds} rounds: ${why}`; // report what was measured
        progress(`  ${aborted}`);
        break;
      }
      redone.push(why);
      progress(`  round ${round} redone: ${why}`);
      await new Promise((r) => setTimeout(r, REDO_PAUSE_MS));
      // The shared lab may have lost hosts meanwhile (someone's `lab down`): bring them back first.
      await o.ensureHosts?.().catch((err: Error) => progress(`  could not bring the hosts back: ${err.message}`));
      round -= 1;
      continue;
    }
    completed += 1;
    for (const [name, v] of samples) {
      series.set(name, [...(series.get(name) ?? []), v.ms]);
      cpu.set(name, [...(cpu.get(name) ?? []), v.cpuMs]);
    }
    const engine = samples.get(rerunOf(ENGINE))?.ms;
    for (const [peer, ratios] of rerunRatios) {
      const ms = samples.get(rerunOf(peer))?.ms;
      if (engine !== undefined && ms !== undefined) ratios.push(ms / engine);
    }
  }
  if (!aborted) await reset();
  const commands = o.tools.flatMap((t) => [t.cmd.label, ...(t.extraReruns ?? []).map((x) => x.cmd.label)]);
  return { title, hosts: names.length, forks: o.forks, tools: o.tools.map((t) => t.name), series, cpu, rerunRatios, redone, aborted, commands };
}

/** Median of the per-round ratios: how many times faster the engine's no-op rerun is than the peer's. */
export const rerunSpeedup = (r: SideBySide, peer: string): number => median(r.rerunRatios.get(peer) ?? []);
