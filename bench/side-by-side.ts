// Workloads (a) and (b): the engine and ansible-playbook alternately on the same hosts, several
// rounds; each round resets /tmp/vpha-bench, times a first run, then a no-op rerun. A run counts only
// when its recap shows the expected work: 20 changes per host first, none on the rerun.
import { say } from '../lab/proc';
import { timed, tailOf, type Cmd } from './child';
import { ansibleWorkload, engineWorkload } from './commands';
import type { BenchHosts } from './lab-hosts';
import { recapProblem } from './recap';
import { mustOnEveryHost } from './remote';
import { median } from './stats';
import { BENCH_DIR, TASK_COUNT } from './workload';

export type SeriesName = 'engine first' | 'engine rerun' | 'engine rerun (type-checked)' | 'ansible first' | 'ansible rerun';

export interface SideBySide {
  readonly title: string;
  readonly hosts: number;
  readonly forks: number;
  readonly series: Map<SeriesName, number[]>;
  /** Per round: ansible rerun / engine rerun (-T). */
  readonly rerunRatios: number[];
  readonly commands: readonly string[];
}

async function measured(series: Map<SeriesName, number[]>, name: SeriesName, cmd: Cmd, hosts: readonly string[], changed: number): Promise<number> {
  const r = await timed(cmd);
  const problem = r.code !== 0 ? `exit ${r.code}` : recapProblem(r.stdout, hosts, changed);
  if (problem) throw new Error(`${name} (${cmd.label}) does not count: ${problem}\n${tailOf(r)}`);
  series.get(name)!.push(r.ms);
  say(`  ${name.padEnd(28)} ${(r.ms / 1000).toFixed(2)} s`);
  return r.ms;
}

export interface SideBySideOptions {
  readonly rounds: number;
  readonly forks: number;
  /** Also time a type-checked engine rerun (workload a; skipped for the scale runs). */
  readonly typeChecked: boolean;
}

export async function sideBySide(title: string, lab: BenchHosts, o: SideBySideOptions): Promise<SideBySide> {
  const names = lab.hosts.map((h) => h.name);
  const engine = engineWorkload(lab.inventory, o.forks, false);
  const engineTyped = engineWorkload(lab.inventory, o.forks, true);
  const ansible = ansibleWorkload(lab.inventory, o.forks);
  const series = new Map<SeriesName, number[]>(
    (['engine first', 'engine rerun', 'engine rerun (type-checked)', 'ansible first', 'ansible rerun'] as const).map((n) => [n, []]),
  );
  const rerunRatios: number[] = [];
  const reset = () => mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);
  for (let round = 1; round <= o.rounds; round++) {
    say(`${title}: round ${round}/${o.rounds}`);
    let engineRerun = 0;
    let ansibleRerun = 0;
    // Alternate who goes first, so neither always runs on a freshly warmed (or busier) machine.
    const order = round % 2 === 1 ? (['engine', 'ansible'] as const) : (['ansible', 'engine'] as const);
    for (const tool of order) {
      await reset();
      if (tool === 'engine') {
        await measured(series, 'engine first', engine, names, TASK_COUNT);
        engineRerun = await measured(series, 'engine rerun', engine, names, 0);
        if (o.typeChecked) await measured(series, 'engine rerun (type-checked)', engineTyped, names, 0);
      } else {
        await measured(series, 'ansible first', ansible, names, TASK_COUNT);
        ansibleRerun = await measured(series, 'ansible rerun', ansible, names, 0);
      }
    }
    rerunRatios.push(ansibleRerun / engineRerun);
  }
  await reset();
  const commands = [engine.label, ...(o.typeChecked ? [engineTyped.label] : []), `ANSIBLE_CONFIG=bench/ansible/ansible.cfg ${ansible.label}`];
  return { title, hosts: names.length, forks: o.forks, series, rerunRatios, commands };
}

export const rerunSpeedup = (r: SideBySide): number => median(r.rerunRatios);
