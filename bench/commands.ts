// The commands the benchmark times, spelled as a user would type them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { STAMP_DIR } from '../engine/type-check';
import { REPO_ROOT } from '../lab/config';
import type { Cmd } from './child';
import { recapCheck } from './recap';
import { ENGINE, type Tool } from './side-by-side';

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'bench', 'ansible');
export const ANSIBLE_CFG = path.join(ANSIBLE_DIR, 'ansible.cfg');

/**
 * How a playbook's TypeScript is checked (engine/type-check.ts; ts-node itself only transpiles, with SWC):
 * `checked`: as users run it, the checker skipped because the sources are unchanged since the last check;
 * `cold`: the worst case of a start after a change: the whole type-check cache (stamp and incremental
 *   build info) is dropped before each run, so the whole program is checked;
 * `edited`: the first start after a user edited one source (EngineRun.editedFile, a comment appended before
 *   the run and removed after it): the incremental check of what the edit affects;
 * `unchecked`: `--no-type-check`.
 */
export type TypeCheckMode = 'checked' | 'cold' | 'edited' | 'unchecked';

export interface EngineRun {
  readonly typeCheck?: TypeCheckMode;
  /** The source the `edited` mode edits (relative to the repository root). */
  readonly editedFile?: string;
}

/** Hooks that append a unique comment to `file` before a run and restore it after. */
function sourceEdit(file: string): Pick<Cmd, 'before' | 'after'> {
  const full = path.join(REPO_ROOT, file);
  let original: string | undefined;
  return {
    before: () => {
      original = readFileSync(full, 'utf8');
      writeFileSync(full, `${original}// bench: edited ${process.hrtime.bigint()}\n`);
    },
    after: () => {
      if (original !== undefined) writeFileSync(full, original);
      original = undefined;
    },
  };
}

/** Makes the next start of any playbook run the type-checker again. */
export const dropTypeCheckStamps = (): void => rmSync(path.join(REPO_ROOT, STAMP_DIR), { recursive: true, force: true });

/** `npx ts-node PLAYBOOK ARGS` in the given type-check mode. */
export function enginePlaybook(playbook: string, args: readonly string[], labelArgs: readonly string[], o: EngineRun = {}): Cmd {
  const ts = ['npx', 'ts-node'];
  const flag = o.typeCheck === 'unchecked' ? ['--no-type-check'] : [];
  const cold = o.typeCheck === 'cold';
  const edited = o.typeCheck === 'edited' ? o.editedFile : undefined;
  if (o.typeCheck === 'edited' && !edited) throw new Error('the edited type-check mode needs editedFile');
  const note = cold ? ' (sources changed: type-check stamp dropped first)' : edited ? ` (right after an edit of ${edited})` : '';
  return {
    label: `${[...ts, playbook, ...labelArgs, ...flag].join(' ')}${note}`,
    argv: [...ts, playbook, ...args, ...flag],
    ...(cold ? { before: dropTypeCheckStamps } : {}),
    ...(edited ? sourceEdit(edited) : {}),
  };
}

/** The engine running workload (a). */
export function engineWorkload(inventory: string, forks: number, o: EngineRun = {}): Cmd {
  return enginePlaybook('bench/workload.ts', ['-i', inventory, '-f', String(forks)], ['-i', 'INV', '-f', String(forks)], o);
}

/** The compiled workload run by plain node, no ts-node (precompiled.ts): the start-up floor. */
export function precompiledWorkload(distDir: string, inventory: string, forks: number): Cmd {
  return {
    label: `node DIST/bench/workload.js -i INV -f ${forks}`,
    argv: [process.execPath, path.join(distDir, 'bench', 'workload.js'), '-i', inventory, '-f', String(forks)],
  };
}

/** The engine's extra no-op rerun series in workload (a): its other type-check modes and plain node. */
export const ENGINE_SERIES = {
  unchecked: 'engine rerun (--no-type-check)',
  cold: 'engine rerun (sources changed: full type-check)',
  precompiled: 'engine rerun (precompiled JS, plain node)',
} as const;

/** The engine as a side-by-side tool, as users run it; optionally with its other modes' reruns. */
export function engineTool(inventory: string, forks: number, o: { readonly typeCheckRows?: boolean; readonly precompiledDir?: string } = {}): Tool {
  const extraReruns = [
    ...(o.typeCheckRows
      ? [
          { series: ENGINE_SERIES.unchecked, cmd: engineWorkload(inventory, forks, { typeCheck: 'unchecked' }) },
          { series: ENGINE_SERIES.cold, cmd: engineWorkload(inventory, forks, { typeCheck: 'cold' }) },
        ]
      : []),
    ...(o.precompiledDir ? [{ series: ENGINE_SERIES.precompiled, cmd: precompiledWorkload(o.precompiledDir, inventory, forks) }] : []),
  ];
  return { name: ENGINE, cmd: engineWorkload(inventory, forks), check: recapCheck, extraReruns };
}
