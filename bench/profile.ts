// Where an engine run's time goes, measured inside one process: start-up (node + ts-node + imports, and
// the packages they load), the type-check stamp, inventory, SSH handshakes and round trips
// (SshConnection.stats) per host, task durations. Prints one JSON object (bench/run.ts reads it).
//   npx ts-node bench/profile.ts PLAYBOOK.ts -i INV [other playbook flags]
import Module from 'node:module';
import * as path from 'node:path';
import type { Playbook } from '../engine/dsl';
import { typeCheckPlaybook } from '../engine/type-check';
import type { Connection } from '../engine/types';
import type { ConnectionStats } from '../engine/connection/ssh';
import type { RunEvent } from '../engine/runner/events';

export interface RunProfile {
  /** process.uptime() when this script's body started: node, ts-node and this file's own imports. */
  readonly bootMs: number;
  /** require() of the playbook file (engine, modules, libraries it imports). */
  readonly importMs: number;
  /** main(): type-check stamp, inventory, connections, facts, tasks, recap. */
  readonly runMs: number;
  /** Inside main(): the type-check gate as users run it (sources unchanged: the stamp's files rehashed). */
  readonly typeCheckMs: number;
  /** Inside main(): from after the type-check to the run's first event (inventory, plan). */
  readonly inventoryMs: number;
  /** Inside main(): from the recap event to main()'s end (closing the connections). */
  readonly closeMs: number;
  /** Packages loaded (inclusive ms, by package) while importing the playbook, and later during the run. */
  readonly packagesMs: { readonly import: Record<string, number>; readonly run: Record<string, number> };
  readonly exitCode: number;
  readonly tasks: number;
  readonly changed: number;
  /** Per host: TCP connections, command round trips (facts included; SFTP puts are not counted), sshd sessions. */
  readonly hosts: Record<string, ConnectionStats>;
  /** The first task's median duration per host: handshake and fact gathering happen inside it. */
  readonly firstTaskMs: number;
  /** Median duration of a task on a host, first task excluded. */
  readonly taskMs: number;
  /** CPU time of this (controller) process for the whole run, start-up included: user + system. */
  readonly cpuMs: number;
  /** Lockstep time by role (each task counted at its slowest host), ms; '(play)' for tasks outside roles. */
  readonly byRole: Record<string, number>;
  /** The slowest task results (host: task, ms), five at most. */
  readonly slowest: readonly string[];
  /** What failed or was unreachable (host: message), when anything did. */
  readonly problems: readonly string[];
}

interface WithStats {
  readonly stats: ConnectionStats;
}
const hasStats = (c: Connection): c is Connection & WithStats => 'stats' in c;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

type ResultEvent = Extract<RunEvent, { type: 'result' }>;

function lockstepByRole(results: readonly ResultEvent[]): Record<string, number> {
  const slowest = new Map<string, { role: string; ms: number }>();
  for (const r of results) {
    const key = `${r.task.role ?? ''}\u0000${r.task.name}`;
    const cur = slowest.get(key);
    if (!cur || r.durationMs > cur.ms) slowest.set(key, { role: r.task.role ?? '(play)', ms: r.durationMs });
  }
  const out: Record<string, number> = {};
  for (const { role, ms } of slowest.values()) out[role] = (out[role] ?? 0) + ms;
  return out;
}

/** The package a bare require() names (`@swc/core/x` -> `@swc/core`), or undefined for a path or a builtin. */
function packageOf(request: string): string | undefined {
  if (request.startsWith('.') || request.startsWith('/') || request.startsWith('node:') || Module.isBuiltin(request)) return undefined;
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

type Loader = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;

/**
 * Times every package the project's own files require (inclusive of what the package loads itself),
 * into `into.current` (switched between the import and the run phases).
 */
function timePackageLoads(root: string): { current: Record<string, number> } {
  const into = { current: {} as Record<string, number> };
  const internal = Module as unknown as { _load: Loader };
  const load = internal._load;
  internal._load = function (this: unknown, request, parent, isMain) {
    const pkg = packageOf(request);
    const fromProject = !!parent?.filename && parent.filename.startsWith(root) && !parent.filename.includes(`${path.sep}node_modules${path.sep}`);
    if (!pkg || !fromProject) return load.call(this, request, parent, isMain);
    const t = performance.now();
    try {
      return load.call(this, request, parent, isMain);
    } finally {
      into.current[pkg] = (into.current[pkg] ?? 0) + performance.now() - t;
    }
  };
  return into;
}

export async function profileRun(playbookFile: string, argv: readonly string[]): Promise<RunProfile> {
  const bootMs = process.uptime() * 1000;
  const packages = timePackageLoads(path.resolve(__dirname, '..'));
  const importPackages = packages.current;
  const t0 = performance.now();
  const mod = require(path.resolve(playbookFile)) as Record<string, unknown>;
  const importMs = performance.now() - t0;
  const runPackages: Record<string, number> = {};
  packages.current = runPackages;
  const pb = Object.values(mod).find((v): v is Playbook => !!v && typeof v === 'object' && 'plays' in v && 'name' in v);
  if (!pb) throw new Error(`${playbookFile} exports no playbook`);
  const { main } = require('../engine/cli') as typeof import('../engine/cli');
  const { openConnection } = require('../engine/connection/index') as typeof import('../engine/connection/index');

  const conns: Connection[] = [];
  const events: RunEvent[] = [];
  const at = new Map<RunEvent['type'], number>(); // when each kind of event came first
  let typeCheckMs = 0;
  const t1 = performance.now();
  const exitCode = await main(pb, [...argv, '--json'], {
    out: (line) => {
      const e = JSON.parse(line) as RunEvent;
      if (!at.has(e.type)) at.set(e.type, performance.now());
      events.push(e);
    },
    typeCheck: () => {
      const t = performance.now();
      try {
        return typeCheckPlaybook(path.resolve(playbookFile));
      } finally {
        typeCheckMs = performance.now() - t;
      }
    },
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    isTTY: false,
    connect: (entry) => {
      const c = openConnection(entry, {});
      conns.push(c);
      return c;
    },
  });
  const t2 = performance.now();
  const runMs = t2 - t1;

  const results = events.filter((e): e is ResultEvent => e.type === 'result');
  const taskNames = [...new Set(results.map((r) => r.task.name))];
  const first = results.filter((r) => r.task.name === taskNames[0]).map((r) => r.durationMs);
  const rest = results.filter((r) => r.task.name !== taskNames[0]).map((r) => r.durationMs);
  const hosts: Record<string, ConnectionStats> = {};
  for (const c of conns) if (hasStats(c)) hosts[c.host] = { ...c.stats };
  return {
    bootMs,
    importMs,
    runMs,
    typeCheckMs,
    inventoryMs: (at.get('playbook') ?? t1) - t1 - typeCheckMs,
    closeMs: t2 - (at.get('recap') ?? t2),
    packagesMs: { import: importPackages, run: runPackages },
    exitCode,
    tasks: taskNames.length,
    changed: results.filter((r) => r.status === 'changed').length,
    hosts,
    firstTaskMs: median(first),
    taskMs: median(rest),
    cpuMs: (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    })(),
    byRole: lockstepByRole(results),
    slowest: [...results]
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5)
      .map((r) => `${r.host}: ${r.task.role ? `${r.task.role} : ` : ''}${r.task.name} ${r.durationMs} ms`),
    problems: results.filter((r) => r.status === 'failed' || r.status === 'unreachable').map((r) => `${r.host}: ${r.task.name}: ${r.msg ?? r.status}`),
  };
}

if (require.main === module) {
  const [file, ...argv] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: ts-node bench/profile.ts PLAYBOOK.ts -i INV [flags]\n');
    process.exit(1);
  }
  profileRun(file, argv).then(
    (p) => {
      process.stdout.write(JSON.stringify(p) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`profile: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
