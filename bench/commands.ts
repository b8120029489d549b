// The commands the benchmark times, spelled as a user would type them.
import * as path from 'node:path';
import { REPO_ROOT } from '../lab/config';
import type { Cmd } from './child';
import { ANSIBLE_LOCALE } from './deps';

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'bench', 'ansible');
export const ANSIBLE_CFG = path.join(ANSIBLE_DIR, 'ansible.cfg');

/** Workarounds and what-ifs loaded into an engine run with `ts-node -r` (see each file). */
export const PRELOAD = {
  /** The proposed TCP_NODELAY change (nodelay.ts). */
  noDelay: './bench/nodelay-preload.ts',
  /** The exit-status race worked around (exit-race.ts). */
  stickyExit: './bench/exit-race-preload.ts',
} as const;

export interface EngineRun {
  /** Plain `npx ts-node` (type-checked) instead of `-T`. */
  readonly typeCheck?: boolean;
  /** `ts-node --swc` (what-if: needs @swc/core). */
  readonly swc?: boolean;
  readonly preloads?: readonly string[];
}

/** The engine running workload (a): `-T` skips type-checking (the documented fast rerun). */
export function engineWorkload(inventory: string, forks: number, o: EngineRun = {}): Cmd {
  const mode = o.swc ? ['--swc'] : o.typeCheck ? [] : ['-T'];
  const ts = ['npx', 'ts-node', ...mode, ...(o.preloads ?? []).flatMap((p) => ['-r', p])];
  return {
    label: `${ts.join(' ')} bench/workload.ts -i INV -f ${forks}`,
    argv: [...ts, 'bench/workload.ts', '-i', inventory, '-f', String(forks)],
  };
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
