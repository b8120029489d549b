// `npm run bench -- [--quick] [--rounds N] [--only a,b,c,d] [--results FILE]`: the engine side by
// side with ansible-playbook (pipelining) on the lab hosts, plus the engine's own overheads (issue 6).
// A script, not a test: it starts the lab hosts it needs, prints a markdown report on stdout (progress
// on stderr) and, with --quick, ends with `no-op rerun speed-up vs ansible: N.Nx`.
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { progress, timed, tailOf } from './child';
import { profileStartup } from './cpu-profile';
import { ensureAnsible } from './deps';
import { firstHosts, fullHosts, lightHostsUp, releaseLab, type BenchHosts } from './lab-hosts';
import { load1, machine } from './machine';
import { unregisterLabUser } from '../lab/users';
import type { RunProfile } from './profile';
import { profileSection, scaleProfileLines, scaleSection, siteSection, startupSection, workloadASection, type ProfileFigures } from './report';
import { rerunSpeedup, sideBySide, type SideBySide } from './side-by-side';
import { siteRerun } from './site-rerun';
import { measureStartup } from './startup';
import { buildPrecompiled } from './precompiled';
import { median } from './stats';
import { BENCH_DIR, TASK_COUNT } from './workload';
import { engineWorkload } from './commands';
import { mustOnEveryHost } from './remote';

interface Options {
  readonly quick: boolean;
  readonly rounds?: number;
  readonly scaleRounds?: number;
  readonly light: number;
  readonly only?: string[];
  readonly results?: string;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const WORKLOADS = ['a', 'b', 'c', 'd'] as const;
type Workload = (typeof WORKLOADS)[number];

/** A probe child's JSON line; a failure (e.g. a lab host's sshd restarted by someone else) is retried twice. */
async function childJson<T>(argv: readonly string[]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await timed({ label: argv.join(' '), argv });
    if (r.code === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
    if (attempt === 3) throw new Error(`${argv.join(' ')} failed (exit ${r.code}):\n${tailOf(r)}`);
    progress(`  retrying ${argv.slice(3, 5).join(' ')}: ${tailOf(r, 1)}`);
    await new Promise((done) => setTimeout(done, 5000));
  }
}

/** Profile of workload (a)'s no-op rerun: round trips, time split, SSH latency, start-up CPU. */
async function profileA(lab: BenchHosts): Promise<ProfileFigures> {
  progress('profiling the no-op rerun (round trips, time split, SSH latency, start-up CPU)');
  const ts = ['npx', 'ts-node'];
  // The hosts must hold the workload's result already, so that what is profiled is a no-op rerun.
  const converge = await timed(engineWorkload(lab.inventory, 10));
  if (converge.code !== 0) throw new Error(`converging the hosts before profiling failed:\n${tailOf(converge)}`);
  // Three clean no-op reruns; a run hit by someone else's use of the shared lab is repeated (twice at most).
  const runs = async (): Promise<RunProfile[]> => {
    const out: RunProfile[] = [];
    for (let misses = 0; out.length < 3; ) {
      const p = await childJson<RunProfile>([...ts, 'bench/profile.ts', 'bench/workload.ts', '-i', lab.inventory]);
      if (p.exitCode === 0 && p.changed === 0) out.push(p);
      else if (++misses > 2) throw new Error(`profiled rerun was not a clean no-op: exit ${p.exitCode}, ${p.changed} changed; ${p.problems.join('; ')}`);
      else progress(`  profiled run repeated (exit ${p.exitCode}, ${p.changed} changed): ${p.problems.join('; ')}`);
    }
    return out;
  };
  const plain = await runs();
  type Latency = { msPerExec: Record<string, number> };
  const latencyMs = median(Object.values((await childJson<Latency>([...ts, 'bench/latency.ts', lab.inventory])).msPerExec));
  const startup = await profileStartup(['-r', 'ts-node/register/transpile-only'], 'bench/workload.ts', ['--help']);
  await mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);
  return { plain, latencyMs, startup };
}

export interface ScaleProfile {
  readonly forks: number;
  readonly profile: RunProfile;
  /** Busy CPU of the whole machine during the profiled run (engine, lab hosts' sshd and shells). */
  readonly machineCpuMs: number;
}

/** One in-process profile of the no-op rerun at scale: where the CPU goes (engine process vs the rest). */
async function profileScale(lab: BenchHosts, forks: number): Promise<ScaleProfile> {
  progress(`(b) profiling the ${lab.hosts.length}-host no-op rerun, forks ${forks}`);
  const converge = await timed(engineWorkload(lab.inventory, forks));
  if (converge.code !== 0) throw new Error(`converging the light hosts before profiling failed:\n${tailOf(converge)}`);
  const argv = ['npx', 'ts-node', 'bench/profile.ts', 'bench/workload.ts', '-i', lab.inventory, '-f', String(forks)];
  const r = await timed({ label: argv.join(' '), argv });
  if (r.code !== 0) throw new Error(`profiling at scale failed:\n${tailOf(r)}`);
  await mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);
  return { forks, profile: JSON.parse(r.stdout.trim().split('\n').pop()!) as RunProfile, machineCpuMs: r.machineCpuMs };
}

async function main(o: Options): Promise<void> {
  const selected = new Set<Workload>(o.quick ? ['a'] : ((o.only ?? WORKLOADS) as Workload[]));
  // --quick must end within 5 minutes even on a busy machine: 3 rounds of (a) take about 1.5 min idle.
  const rounds = o.rounds ?? (o.quick ? 3 : 5);
  const scaleRounds = o.scaleRounds ?? Math.min(rounds, 3);
  const m = machine();
  const loadStart = load1();
  const started = new Date();
  const ansibleVersion = selected.has('a') || selected.has('b') ? await ensureAnsible() : 'not used';
  const report: string[] = [];
  let speedup = NaN;
  // One workload failing (e.g. someone took the shared lab down) must not lose the others' figures.
  const section = async (name: string, body: () => Promise<string[]>): Promise<void> => {
    try {
      report.push(...(await body()), '');
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      progress(`${name} failed: ${why}`);
      report.push(`## ${name}`, '', `**Failed**: ${why.split('\n').slice(0, 6).join(' / ')}`, '');
    }
  };
  try {
    if (selected.has('a')) {
      await section('(a) 20 tasks on 2 lab hosts', async () => {
        const lab = await fullHosts(2);
        // The precompiled what-if needs a tsc build (~10 s): the full benchmark only.
        const precompiledDir = o.quick ? undefined : await buildPrecompiled().catch((e: Error) => void progress(`no precompiled what-if: ${e.message}`));
        const a = await sideBySide('(a) 2 hosts', lab, {
          precompiledDir: precompiledDir ?? undefined,
          rounds,
          forks: 10,
          typeCheckRows: true,
          ensureHosts: () => fullHosts(2),
        });
        speedup = rerunSpeedup(a);
        return [...workloadASection(a, speedup), '', ...profileSection(await profileA(lab), TASK_COUNT)];
      });
    }
    if (selected.has('c')) {
      await section('(c) site.ts no-op rerun', async () => {
        progress('(c) site.ts no-op rerun');
        return siteSection(await siteRerun(await fullHosts(2), rounds));
      });
    }
    if (selected.has('d')) {
      await section('(d) start-up', async () => {
        progress('(d) start-up');
        // The edited source: a role site.ts imports (its dependents are checked again too).
        const cases = await measureStartup('playbooks/site.ts', rounds, 'roles/drbd/index.ts');
        const loads = cases.every((c) => c.ms !== undefined);
        const prof = loads ? await profileStartup(['-r', 'ts-node/register/transpile-only'], 'playbooks/site.ts', ['--help']) : undefined;
        const out = startupSection('playbooks/site.ts', cases, prof);
        if (!loads) out.push('', ...startupSection('bench/workload.ts (reference: site.ts does not load)', await measureStartup('bench/workload.ts', rounds)));
        return out;
      });
    }
    if (selected.has('b')) {
      await section('(b) 50 light hosts', async () => {
        const light = await lightHostsUp(o.light);
        const base = await firstHosts(light, 2);
        const opts = { rounds: scaleRounds, typeCheckRows: false, ensureHosts: () => lightHostsUp(o.light) };
        const runs: SideBySide[] = [];
        const baseRun = await sideBySide('(b) 2 light hosts', base, { ...opts, forks: 10 });
        for (const forks of [10, 50]) runs.push(await sideBySide(`(b) ${o.light} light hosts, forks ${forks}`, light, { ...opts, forks }));
        const profiles = [await profileScale(light, 10), await profileScale(light, 50)];
        return [...scaleSection(baseRun, runs), ...scaleProfileLines(profiles)];
      });
    }
  } finally {
    const lab = await releaseLab();
    progress(lab);
    report.push(`Lab: ${lab}.`);
  }

  const head = [
    '# Benchmark results: the engine vs ansible-playbook (issue 6)',
    '',
    `- date: ${started.toISOString()}`,
    `- command: \`${process.env.NODE_PATH ? `NODE_PATH=${process.env.NODE_PATH} ` : ''}npm run bench --${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\` (rounds ${rounds}${selected.has('b') ? `, scale rounds ${scaleRounds}` : ''})`,
    `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, kernel ${m.kernel}, ${m.os}, node ${m.node}, ${ansibleVersion}`,
    `- 1-minute load average: ${loadStart} at start, ${load1()} at end (other work on this machine shares its CPUs with the lab hosts)`,
    '- Ansible settings (bench/ansible/ansible.cfg): pipelining=True, ControlMaster/ControlPersist=60s (its defaults), ' +
      'interpreter_python fixed (no discovery), host keys checked against the lab known_hosts; facts gathered (gather_facts: true, ' +
      'gather_subset min) because the engine always gathers its own (one exec per host)',
    '',
  ];
  const text = [...head, ...report].join('\n') + '\n';
  process.stdout.write(text);
  if (o.results) writeFileSync(o.results, text);
  if (selected.has('a')) process.stdout.write(`no-op rerun speed-up vs ansible: ${speedup.toFixed(1)}x\n`);
}

const program = new Command('bench')
  .description('The engine side by side with ansible-playbook on the lab hosts, and its own start-up (issue 6)')
  .option('--quick', 'workload (a) only (2 hosts); ends with the speed-up line', false)
  .option('--rounds <n>', 'rounds of each workload (default 5; 3 with --quick)', positive)
  .option('--scale-rounds <n>', 'rounds of workload (b) (default min(rounds, 3)): ansible on 50 hosts is slow', positive)
  .option('--light <n>', 'light hosts for workload (b)', positive, 50)
  .option('--only <list>', 'workloads to run, e.g. a,d', (v) => v.split(',').map((s) => s.trim()))
  .option('--results <file>', 'also write the report to this file (e.g. bench/RESULTS.md)')
  .action(async (o: Options) => {
    const bad = (o.only ?? []).filter((w) => !(WORKLOADS as readonly string[]).includes(w));
    if (bad.length) throw new InvalidArgumentError(`unknown workload ${bad.join(', ')} (a, b, c, d)`);
    await main(o);
  });

// Interrupted: no longer a lab user (the lab itself is left as it is).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    unregisterLabUser();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
