// The commands the benchmark times, spelled as a user would type them.
import * as path from 'node:path';
import { REPO_ROOT } from '../lab/config';
import type { Cmd } from './child';
import { ANSIBLE_LOCALE } from './deps';

export const ANSIBLE_DIR = path.join(REPO_ROOT, 'bench', 'ansible');
export const ANSIBLE_CFG = path.join(ANSIBLE_DIR, 'ansible.cfg');

/** The engine running workload (a): `-T` skips type-checking (the documented fast rerun). */
export function engineWorkload(inventory: string, forks: number, typeCheck: boolean): Cmd {
  const ts = typeCheck ? ['npx', 'ts-node'] : ['npx', 'ts-node', '-T'];
  return {
    label: `${ts.join(' ')} bench/workload.ts -i INV -f ${forks}`,
    argv: [...ts, 'bench/workload.ts', '-i', inventory, '-f', String(forks)],
  };
}

/** The -T run with TCP_NODELAY forced on its SSH sockets (a proposed engine change, see nodelay.ts). */
export function engineWorkloadNoDelay(inventory: string, forks: number): Cmd {
  return {
    label: `npx ts-node -T -r ./bench/nodelay-preload.ts bench/workload.ts -i INV -f ${forks}`,
    argv: ['npx', 'ts-node', '-T', '-r', './bench/nodelay-preload.ts', 'bench/workload.ts', '-i', inventory, '-f', String(forks)],
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
