// Where a process's start-up time goes: `node --cpu-prof` self time grouped by package or project
// folder, and how many files it loaded (NODE_DEBUG=module).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { timed } from './child';

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A sample's owner: `npm:typescript`, `engine/runner`, `node-internal`, `(gc)`... */
function owner(functionName: string, url: string): string {
  if (functionName === '(idle)' || functionName === '(program)') return '(idle/program)';
  if (functionName === '(garbage collector)') return '(gc)';
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `npm:${pkg[1]}`;
  if (file.startsWith('node:')) return 'node-internal';
  const rel = path.relative(path.resolve(__dirname, '..'), file);
  return rel.startsWith('..') ? file : rel.split('/').slice(0, 2).join('/');
}

/** Self time (ms) by owner, largest first. */
export function selfTimeByOwner(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (!n) return;
    const key = owner(n.callFrame.functionName, n.callFrame.url);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

export interface StartupProfile {
  /** Top owners of CPU time, e.g. [['npm:typescript', 480], ...]. */
  readonly top: [string, number][];
  readonly totalMs: number;
  readonly tsFiles: number;
  readonly packageFiles: number;
}

/** Profile `node [nodeArgs] file args` (run from the repository root). */
export async function profileStartup(nodeArgs: readonly string[], file: string, args: readonly string[]): Promise<StartupProfile> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vpha-bench-prof-'));
  try {
    const prof = await timed({ label: 'cpu-prof', argv: [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...nodeArgs, file, ...args] });
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (prof.code !== 0 || files.length === 0) throw new Error(`profiling ${file} failed (exit ${prof.code}): ${prof.stderr.trim().slice(-300)}`);
    const top = selfTimeByOwner(JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as CpuProfile);
    const mods = await timed({ label: 'NODE_DEBUG=module', argv: [process.execPath, ...nodeArgs, file, ...args], env: { NODE_DEBUG: 'module' } });
    const loaded = new Set([...mods.stderr.matchAll(/load "([^"]+)"/g)].map((m) => m[1]!));
    return {
      top: top.slice(0, 8),
      totalMs: top.reduce((n, [, ms]) => n + ms, 0),
      tsFiles: [...loaded].filter((f) => f.endsWith('.ts') && !f.includes('node_modules')).length,
      packageFiles: [...loaded].filter((f) => f.includes('node_modules')).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
