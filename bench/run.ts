// `npm run bench -- [--quick] [--rounds N] [--only a,b,c,d] [--peers LIST] [--results FILE]`: the engine
// side by side with its peers (Debian's ansible, the newest ansible-core, ansible-core with Mitogen,
// pyinfra 3; bench/peers.ts) on the lab hosts, plus the engine's own overheads (issues 6 and 15). A
// script, not a test: it starts the lab hosts it needs, prints a markdown report on stdout (progress on
// stderr) and ends, whenever (a) ran, with one `no-op rerun speed-up vs PEER: N.Nx` line per peer.
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { MAX_LIGHT_HOSTS } from '../lab/config';
import { unregisterLabUser } from '../lab/users';
import { progress, timed, tailOf } from './child';
import { engineTool, engineWorkload } from './commands';
import { profileStartup } from './cpu-profile';
import { floorProbe, loadProbe } from './floors';
import { firstHosts, fullHosts, lightHostsUp, releaseLab, type BenchHosts } from './lab-hosts';
import type { Latency } from './latency';
import { load1, machine } from './machine';
import { findPeers, PEER_NAMES, PEERS_DIR, PEERS_ENV, type Peer, type PeerLookup, type PeerName } from './peers';
import { buildPrecompiled } from './precompiled';
import type { RunProfile } from './profile';
import { mustOnEveryHost } from './remote';
import { siteSection, startupSection } from './report';
import { speedupLines, workloadASection } from './report-a';
import { profileSection, type ProfileFigures } from './report-profile';
import { scaleProfileLine, scaleSection } from './report-scale';
import { sideBySide, type SideBySide, type Tool } from './side-by-side';
import { siteRerun } from './site-rerun';
import { measureStartup } from './startup';
import { measureStartupParts } from './startup-parts';
import { median } from './stats';
import { BENCH_DIR, TASK_COUNT } from './workload';

interface Options {
  readonly quick: boolean;
  readonly rounds: number;
  readonly scaleRounds?: number;
  readonly scaleHosts: number[];
  readonly scaleForks: number;
  readonly sampledRounds: number;
  readonly peers: PeerName[];
  readonly only?: string[];
  readonly results?: string;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const hostCounts = (v: string): number[] => {
  const ns = v.split(',').map((s) => positive(s.trim()));
  if (ns.some((n) => n > MAX_LIGHT_HOSTS)) throw new InvalidArgumentError(`the lab has at most ${MAX_LIGHT_HOSTS} light hosts`);
  return [...new Set(ns)].sort((a, b) => a - b);
};

const peerList = (v: string): PeerName[] => {
  const ns = v.split(',').map((s) => s.trim());
  const bad = ns.filter((n) => !(PEER_NAMES as readonly string[]).includes(n));
  if (bad.length) throw new InvalidArgumentError(`unknown peer ${bad.join(', ')} (${PEER_NAMES.join(', ')})`);
  return ns as PeerName[];
};

const WORKLOADS = ['a', 'b', 'c', 'd'] as const;
type Workload = (typeof WORKLOADS)[number];

/** The peers that take part in the scale runs: Ansible's and pyinfra's growth curves (issue 15). */
const SCALE_PEERS: readonly PeerName[] = ['ansible', 'pyinfra'];
/** Above this many hosts Ansible is sampled (--sampled-rounds): one run takes minutes there. */
const SAMPLE_ANSIBLE_ABOVE = 50;

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

const peerTool = (p: Peer, inventory: string, forks: number, rounds?: number): Tool => ({
  name: p.name,
  cmd: p.workload(inventory, forks),
  check: p.check,
  ...(rounds !== undefined ? { rounds } : {}),
});

/** Profile of workload (a)'s no-op rerun: round trips, time split, packages, CPU, start-up parts. */
async function profileA(lab: BenchHosts, rounds: number): Promise<ProfileFigures> {
  progress('profiling the no-op rerun (round trips, time split, packages, SSH latency, CPU, start-up parts)');
  const ts = ['npx', 'ts-node'];
  // The hosts must hold the workload's result already, so that what is profiled is a no-op rerun.
  const converge = await timed(engineWorkload(lab.inventory, 10));
  if (converge.code !== 0) throw new Error(`converging the hosts before profiling failed:\n${tailOf(converge)}`);
  // Three clean no-op reruns; a run hit by someone else's use of the shared lab is repeated (twice at most).
  const plain: RunProfile[] = [];
  for (let misses = 0; plain.length < 3; ) {
    const p = await childJson<RunProfile>([...ts, 'bench/profile.ts', 'bench/workload.ts', '-i', lab.inventory]);
    if (p.exitCode === 0 && p.changed === 0) plain.push(p);
    else if (++misses > 2) throw new Error(`profiled rerun was not a clean no-op: exit ${p.exitCode}, ${p.changed} changed; ${p.problems.join('; ')}`);
    else progress(`  profiled run repeated (exit ${p.exitCode}, ${p.changed} changed): ${p.problems.join('; ')}`);
  }
  const latency = await childJson<Latency>([...ts, 'bench/latency.ts', lab.inventory]);
  const register = ['-r', 'ts-node/register/transpile-only'];
  const rerunCpu = await profileStartup(register, 'bench/workload.ts', ['-i', lab.inventory]);
  const startup = await profileStartup(register, 'bench/workload.ts', ['--help']);
  const parts = await measureStartupParts(rounds);
  await mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);
  return { plain, latencyMs: median(Object.values(latency.msPerExec)), rerunCpu, startup, parts };
}

/** One in-process profile of the engine's no-op rerun at scale: where the CPU goes (engine process vs the rest). */
async function profileScale(lab: BenchHosts, forks: number): Promise<string> {
  progress(`(b) profiling the ${lab.hosts.length}-host no-op rerun, forks ${forks}`);
  const converge = await timed(engineWorkload(lab.inventory, forks));
  if (converge.code !== 0) throw new Error(`converging the light hosts before profiling failed:\n${tailOf(converge)}`);
  const argv = ['npx', 'ts-node', 'bench/profile.ts', 'bench/workload.ts', '-i', lab.inventory, '-f', String(forks)];
  const r = await timed({ label: argv.join(' '), argv });
  if (r.code !== 0) throw new Error(`profiling at scale failed:\n${tailOf(r)}`);
  await mustOnEveryHost(lab.inventory, `rm -rf ${BENCH_DIR}`);
  return scaleProfileLine(lab.hosts.length, forks, JSON.parse(r.stdout.trim().split('\n').pop()!) as RunProfile, r.machineCpuMs);
}

async function main(o: Options): Promise<void> {
  const selected = new Set<Workload>(o.quick ? ['a'] : ((o.only ?? WORKLOADS) as Workload[]));
  const scaleRounds = o.scaleRounds ?? Math.min(o.rounds, 3);
  const m = machine();
  const loadStart = load1();
  const started = new Date();
  const wanted = selected.has('a') ? o.peers : selected.has('b') ? o.peers.filter((p) => SCALE_PEERS.includes(p)) : [];
  const peers: PeerLookup[] = await findPeers(wanted);
  for (const l of peers) progress(l.found ? `peer ${l.peer.name}: ${l.peer.version}` : `peer ${l.name} MISSING: ${l.why}`);
  const found = (names: readonly PeerName[]): Peer[] => peers.flatMap((l) => (l.found && names.includes(l.peer.name) ? [l.peer] : []));
  const report: string[] = [];
  let a: SideBySide | undefined;
  let aFailed: string | undefined;
  // One workload failing (e.g. someone took the shared lab down) must not lose the others' figures.
  const section = async (name: string, body: () => Promise<string[]>): Promise<string | undefined> => {
    try {
      report.push(...(await body()), '');
      return undefined;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      progress(`${name} failed: ${why}`);
      report.push(`## ${name}`, '', `**Failed**: ${why.split('\n').slice(0, 6).join(' / ')}`, '');
      return why.split('\n')[0];
    }
  };
  try {
    if (selected.has('a')) {
      aFailed = await section('(a) 20 tasks on 2 lab hosts', async () => {
        const lab = await fullHosts(2);
        // The precompiled what-if needs a tsc build (~10 s): the full benchmark only.
        const precompiledDir = o.quick ? undefined : await buildPrecompiled().catch((e: Error) => void progress(`no precompiled what-if: ${e.message}`));
        const forks = 10;
        a = await sideBySide('(a) 2 hosts', lab, {
          rounds: o.rounds,
          forks,
          tools: [engineTool(lab.inventory, forks, { typeCheckRows: true, precompiledDir: precompiledDir ?? undefined }), ...found(o.peers).map((p) => peerTool(p, lab.inventory, forks))],
          probes: [floorProbe(lab.inventory)],
          ensureHosts: () => fullHosts(2),
        });
        return [...workloadASection(a, peers), '', ...profileSection(await profileA(lab, o.rounds), TASK_COUNT)];
      });
    }
    if (selected.has('c')) {
      await section('(c) site.ts no-op rerun', async () => {
        progress('(c) site.ts no-op rerun');
        return siteSection(await siteRerun(await fullHosts(2), o.rounds));
      });
    }
    if (selected.has('d')) {
      await section('(d) start-up', async () => {
        progress('(d) start-up');
        // The edited source: a role site.ts imports (its dependents are checked again too).
        const cases = await measureStartup('playbooks/site.ts', o.rounds, 'roles/drbd/index.ts');
        const loads = cases.every((c) => c.ms !== undefined);
        const prof = loads ? await profileStartup(['-r', 'ts-node/register/transpile-only'], 'playbooks/site.ts', ['--help']) : undefined;
        const out = startupSection('playbooks/site.ts', cases, prof);
        if (!loads) out.push('', ...startupSection('bench/workload.ts (reference: site.ts does not load)', await measureStartup('bench/workload.ts', o.rounds)));
        return out;
      });
    }
    if (selected.has('b')) {
      await section('(b) scale', async () => {
        const most = o.scaleHosts[o.scaleHosts.length - 1]!;
        const light = await lightHostsUp(most);
        const runs: SideBySide[] = [];
        for (const n of o.scaleHosts) {
          const lab = n === most ? light : await firstHosts(light, n);
          const tools = [
            engineTool(lab.inventory, o.scaleForks),
            ...found(SCALE_PEERS).map((p) => peerTool(p, lab.inventory, o.scaleForks, p.name === 'ansible' && n > SAMPLE_ANSIBLE_ABOVE ? o.sampledRounds : undefined)),
          ];
          runs.push(await sideBySide(`(b) ${n} light hosts, forks ${o.scaleForks}`, lab, { rounds: scaleRounds, forks: o.scaleForks, tools, probes: [loadProbe], ensureHosts: () => lightHostsUp(most) }));
        }
        const missing = peers.flatMap((l) => (!l.found && SCALE_PEERS.includes(l.name) ? [`- ${l.name}: MISSING (${l.why})`] : []));
        return [...scaleSection(runs, o.scaleForks), ...missing, await profileScale(light, o.scaleForks)];
      });
    }
  } finally {
    const lab = await releaseLab();
    progress(lab);
    report.push(`Lab: ${lab}.`);
  }

  const head = [
    '# Benchmark results: the engine vs Ansible, Mitogen and pyinfra (issues 6 and 15)',
    '',
    `- date: ${started.toISOString()}`,
    `- command: \`${process.env.NODE_PATH ? `NODE_PATH=${process.env.NODE_PATH} ` : ''}npm run bench --${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\` ` +
      `(rounds ${o.rounds}${selected.has('b') ? `, scale rounds ${scaleRounds}, Ansible above ${SAMPLE_ANSIBLE_ABOVE} hosts ${o.sampledRounds}` : ''})`,
    `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, kernel ${m.kernel}, ${m.os}, node ${m.node}`,
    `- 1-minute load average: ${loadStart} at start, ${load1()} at end (other work on this machine shares its CPUs with the lab hosts)`,
    `- peers looked for in ${PEERS_ENV}=${PEERS_DIR}: ${peers.map((l) => (l.found ? l.peer.name : `${l.name} (missing)`)).join(', ') || 'none asked for'}`,
    '',
  ];
  const tail = selected.has('a') ? speedupLines(a, peers.filter((l) => o.peers.includes(l.name)), aFailed) : [];
  const text = [...head, ...report, ...tail].join('\n') + '\n';
  process.stdout.write(text);
  if (o.results) writeFileSync(o.results, text);
}

const program = new Command('bench')
  .description('The engine side by side with Ansible, Mitogen and pyinfra on the lab hosts, and its own start-up (issues 6 and 15)')
  .option('--quick', 'workload (a) only (2 hosts, every installed peer); ends with one speed-up line per peer', false)
  .option('--rounds <n>', 'rounds of each workload (the speed-ups are medians of per-round ratios)', positive, 5)
  .option('--scale-rounds <n>', 'rounds of the scale runs (default min(rounds, 3))', positive)
  .option('--scale-hosts <list>', 'light host counts of the scale runs', hostCounts, [2, 50, 200])
  .option('--scale-forks <n>', 'forks (pyinfra: --parallel) of the scale runs', positive, 50)
  .option('--sampled-rounds <n>', `rounds Ansible takes part in above ${SAMPLE_ANSIBLE_ABOVE} hosts (minutes per run there)`, positive, 1)
  .option('--peers <list>', `peers to run (default all: ${PEER_NAMES.join(', ')})`, peerList, [...PEER_NAMES])
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
