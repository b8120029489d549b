// The commands the benchmark times, spelled as a user would type them.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { STAMP_DIR } from '../engine/type-check';
import { REPO_ROOT } from '../lab/config';
import type { Cmd } from './child';
import { ANSIBLE_LOCALE } from './deps';

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'bench', 'ansible');
export const ANSIBLE_CFG = path.join(ANSIBLE_DIR, 'ansible.cfg');

/** Workarounds and what-ifs loaded into an engine run with `ts-node -r` (see each file). */
export const PRELOAD = {
  /** The exit-status race worked around (exit-race.ts). */
  stickyExit: './bench/exit-race-preload.ts',
} as const;

/**
 * How a playbook's TypeScript is checked (engine/type-check.ts; ts-node itself only transpiles, with SWC):
 * `checked`: as users run it, the checker skipped because the sources are unchanged since the last check;
 * `cold`: the worst case of a start after a change: the whole type-check cache (stamp and incremental
 *   build info) is dropped before each run, so the whole program is checked;
 * `unchecked`: `--no-type-check`.
 */
export type TypeCheckMode = 'checked' | 'cold' | 'unchecked';

export interface EngineRun {
  readonly typeCheck?: TypeCheckMode;
  readonly preloads?: readonly string[];
}

/** Makes the next start of any playbook run the type-checker again. */
export const dropTypeCheckStamps = (): void => rmSync(path.join(REPO_ROOT, STAMP_DIR), { recursive: true, force: true });

/** `npx ts-node PLAYBOOK ARGS` in the given type-check mode. */
export function enginePlaybook(playbook: string, args: readonly string[], labelArgs: readonly string[], o: EngineRun = {}): Cmd {
  const ts = ['npx', 'ts-node', ...(o.preloads ?? []).flatMap((p) => ['-r', p])];
  const flag = o.typeCheck === 'unchecked' ? ['--no-type-check'] : [];
  const cold = o.typeCheck === 'cold';
  return {
    label: `${[...ts, playbook, ...labelArgs, ...flag].join(' ')}${cold ? ' (sources changed: type-check stamp dropped first)' : ''}`,
    argv: [...ts, playbook, ...args, ...flag],
    ...(cold ? { before: dropTypeCheckStamps } : {}),
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

/** ansible-playbook on the same inventory file, pipelining on (bench/ansible/ansible.cfg). */
export function ansibleWorkload(inventory: string, forks: number): Cmd {
  return {
    label: `ansible-playbook -i INV -f ${forks} bench/ansible/workload.yml (pipelining)`,
    argv: ['ansible-playbook', '-i', inventory, '-f', String(forks), path.join(ANSIBLE_DIR, 'workload.yml')],
    env: { ANSIBLE_CONFIG: ANSIBLE_CFG, ...ANSIBLE_LOCALE },
  };
}
