// What-if for the start-up floor: the engine compiled to JavaScript once (tsc into a temp directory)
// and run with plain `node`, no ts-node. Shows how much of a rerun is TypeScript tooling.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../lab/config';
import { timed, tailOf } from './child';
import { BENCH_INVENTORY_DIR } from './lab-hosts';

export const PRECOMPILED_DIR = path.join(BENCH_INVENTORY_DIR, 'dist');

/** Compile the project to PRECOMPILED_DIR (emitting despite type errors elsewhere); its directory on success. */
export async function buildPrecompiled(): Promise<string> {
  await fs.rm(PRECOMPILED_DIR, { recursive: true, force: true });
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await timed({ label: 'tsc', argv: [process.execPath, tsc, '-p', REPO_ROOT, '--outDir', PRECOMPILED_DIR, '--noEmit', 'false'] });
  const workload = path.join(PRECOMPILED_DIR, 'bench', 'workload.js');
  if (!(await fs.stat(workload).catch(() => undefined))) throw new Error(`tsc emitted no ${workload} (exit ${r.code}):\n${tailOf(r)}`);
  // What the compiled files read beside themselves: the benchmark's template and the packages.
  await fs.cp(path.join(REPO_ROOT, 'bench', 'templates'), path.join(PRECOMPILED_DIR, 'bench', 'templates'), { recursive: true });
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(PRECOMPILED_DIR, 'node_modules'));
  return PRECOMPILED_DIR;
}
