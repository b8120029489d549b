// Workloads (a) and (b): the engine and ansible-playbook alternately on the same hosts, several
// rounds; each round resets /tmp/vpha-bench, times a first run, then a no-op rerun. A run counts only
// when its recap shows the expected work: 20 changes per host first, none on the rerun.
import * as path from 'node:path';
import { typeCheckPlaybook } from '../engine/type-check';
import { REPO_ROOT } from '../lab/config';
import { progress, timed, tailOf, type Cmd } from './child';
import { ansibleWorkload, engineWorkload, precompiledWorkload } from './commands';
import type { BenchHosts } from './lab-hosts';
import { recapProblem } from './recap';
import { mustOnEveryHost } from './remote';
import { median } from './stats';
import { BENCH_DIR, TASK_COUNT } from './workload';

export const SERIES = [
  'engine first',
  'engine rerun',
  'engine rerun (--no-type-check)',
  'engine rerun (sources changed: full type-check)',
  'engine rerun (precompiled JS, plain node)',
  'ansible first',
  'ansible rerun',
] as const;
export type SeriesName = (typeof SERIES)[number];

export interface SideBySide {
  readonly title: string;
  readonly hosts: number;
  readonly forks: number;
  /** Wall times (ms) of each kind of run. */
  readonly series: Map<SeriesName, number[]>;
  /** Busy CPU of the whole machine (ms) during each run, same order. */
  readonly cpu: Map<SeriesName, number[]>;
  /** Per round: ansible rerun / engine rerun (as users run it: type-checked, sources unchanged). */
  readonly rerunRatios: number[];
  /** Why rounds were redone (first line of the failure each time). */
  readonly redone: readonly string[];
  /** Set when the rounds stopped early (the figures are from the rounds before). */
  readonly aborted?: string;
  readonly commands: readonly string[];
}

/** One round's samples, kept apart until the round completes (a broken round is redone whole). */
type RoundSamples = Map<SeriesName, { readonly ms: number; readonly cpuMs: number }>;

/** A run that did not do the expected work (exit code or recap); the round it belongs to is redone. */
class RunDoesNotCount extends Error {}

async function measured(round: RoundSamples, name: SeriesName, cmd: Cmd, hosts: readonly string[], changed: number): Promise<number> {
  const r = await timed(cmd);
  const problem = r.code !== 0 ? `exit ${r.code}` : recapProblem(r.stdout, hosts, changed);
  if (problem) throw new RunDoesNotCount(`${name} (${cmd.label}) does not count: ${problem}\n${tailOf(r)}`);
  round.set(name, { ms: r.ms, cpuMs: r.machineCpuMs });
  progress(`  ${name.padEnd(36)} ${(r.ms / 1000).toFixed(2)} s  (machine CPU busy ${(r.machineCpuMs / 1000).toFixed(2)} s)`);
  return r.ms;
}

export interface SideBySideOptions {
  readonly rounds: number;
  readonly forks: number;
  /** Also time reruns with --no-type-check and with a full type-check (workload a; skipped for the scale runs). */
  readonly typeCheckRows: boolean;
  /** A compiled copy of the project (precompiled.ts): also time a rerun with plain node. */
  readonly precompiledDir?: string;
  /** Called before a redone round: make sure the lab hosts are (still) up. */
  readonly ensureHosts?: () => Promise<unknown>;
}

/**
 * A round with a run that does not count is redone (after a pause), and the report says why: another
 * engineer's spec may reboot a host of the shared lab. At most max(3, rounds) redone rounds in all.
 */
const MIN_REDONE_ROUNDS = 3;
const REDO_PAUSE_MS = 10_000;

export async function sideBySide(title: string, lab: BenchHosts, o: SideBySideOptions): Promise<SideBySide> {
  const names = lab.hosts.map((h) => h.name);
  const engine = engineWorkload(lab.inventory, o.forks);
  const engineUnchecked = engineWorkload(lab.inventory, o.forks, { typeCheck: 'unchecked' });
  const engineCold = engineWorkload(lab.inventory, o.forks, { typeCheck: 'cold' });
  const engineJs = o.precompiledDir ? precompiledWorkload(o.precompiledDir, lab.inventory, o.forks) : undefined;
  const ansible = ansibleWorkload(lab.inventory, o.forks);
  const series = new Map<SeriesName, number[]>(SERIES.map((n) => [n, []]));
  const cpu = new Map<SeriesName, number[]>(SERIES.map((n) => [n, []]));
  const rerunRatios: number[] = [];
  const redone: string[] = [];
  const reset = () => mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);

  const runRound = async (round: number): Promise<RoundSamples> => {
    const samples: RoundSamples = new Map();
    // Alternate who goes first, so neither always runs on a freshly warmed (or busier) machine.
    const order = round % 2 === 1 ? (['engine', 'ansible'] as const) : (['ansible', 'engine'] as const);
    for (const tool of order) {
      await reset().catch((e: Error) => Promise.reject(new RunDoesNotCount(`resetting ${BENCH_DIR}: ${e.message}`)));
      if (tool === 'engine') {
        await measured(samples, 'engine first', engine, names, TASK_COUNT);
        await measured(samples, 'engine rerun', engine, names, 0);
        if (o.typeCheckRows) {
          await measured(samples, 'engine rerun (--no-type-check)', engineUnchecked, names, 0);
          await measured(samples, 'engine rerun (sources changed: full type-check)', engineCold, names, 0);
        }
        if (engineJs) await measured(samples, 'engine rerun (precompiled JS, plain node)', engineJs, names, 0);
      } else {
        await measured(samples, 'ansible first', ansible, names, TASK_COUNT);
        await measured(samples, 'ansible rerun', ansible, names, 0);
      }
    }
    return samples;
  };

  // "As users run it" means sources unchanged since the last check: an earlier workload's `cold` rows may
  // have dropped this playbook's stamp, which would put a whole type-check into the first engine run.
  const warm = typeCheckPlaybook(path.join(REPO_ROOT, 'bench', 'workload.ts'));
  if (!warm.ok) throw new Error(`bench/workload.ts does not type-check:\n${warm.report}`);

  let aborted: string | undefined;
  for (let round = 1; round <= o.rounds; round++) {
    progress(`${title}: round ${round}/${o.rounds}`);
    let samples: RoundSamples;
    try {
      samples = await runRound(round);
    } catch (e) {
      const why = (e as Error).message.split('\n')[0]!;
      if (!(e instanceof RunDoesNotCount) || redone.length >= Math.max(MIN_REDONE_ROUNDS, o.rounds)) {
        if (rerunRatios.length === 0) throw e;
        aborted = `stopped after ${rerunRatios.length} of ${o.rounds} rounds: ${why}`; // report what was measured
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
    for (const [name, v] of samples) {
      series.get(name)!.push(v.ms);
      cpu.get(name)!.push(v.cpuMs);
    }
    rerunRatios.push(samples.get('ansible rerun')!.ms / samples.get('engine rerun')!.ms);
  }
  if (!aborted) await reset();
  const commands = [
    engine.label,
    ...(o.typeCheckRows ? [engineUnchecked.label, engineCold.label] : []),
    ...(engineJs ? [`${engineJs.label} (DIST: the project compiled by tsc)`] : []),
    `ANSIBLE_CONFIG=bench/ansible/ansible.cfg ${ansible.label}`,
  ];
  return { title, hosts: names.length, forks: o.forks, series, cpu, rerunRatios, redone, aborted, commands };
}

export const rerunSpeedup = (r: SideBySide): number => median(r.rerunRatios);
