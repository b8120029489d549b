// Workload (a) of issue 6: 20 tasks (5 each of command, lineinfile, copy, template) on every host of
// the inventory given, writing under /tmp/vpha-bench. bench/ansible/workload.yml is the same work for
// ansible-playbook. Every task is idempotent, so a rerun must report changed=0.
//   npx ts-node bench/workload.ts -i inventory/lab/hosts.yml [-f 10]
import * as path from 'node:path';
import { play, playbook, task, type Node, type Vars } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { command } from '../modules/command';
import { copy } from '../modules/copy';
import { lineinfile } from '../modules/lineinfile';
import { template } from '../modules/template';

/** Where the workload writes on each host; bench/run.ts removes it before every first run. */
export const BENCH_DIR = '/tmp/vpha-bench';
export const TASK_COUNT = 20;

const TEMPLATE = path.join(__dirname, 'templates', 'workload.conf.hbs');
const FIVE = [1, 2, 3, 4, 5] as const;
const at = (file: string): string => `${BENCH_DIR}/${file}`;

/** Each command creates the path it names, so `creates` makes the rerun skip it (as in Ansible). */
const commands: readonly { readonly argv: readonly string[]; readonly creates: string }[] = [
  { argv: ['mkdir', '-p', BENCH_DIR], creates: BENCH_DIR },
  { argv: ['cp', '/etc/hostname', at('command2.txt')], creates: at('command2.txt') },
  { argv: ['cp', '/etc/os-release', at('command3.txt')], creates: at('command3.txt') },
  { argv: ['touch', at('command4.stamp')], creates: at('command4.stamp') },
  { argv: ['mkdir', at('command5.d')], creates: at('command5.d') },
];

const tasks: Node<Vars>[] = [
  ...commands.map((c, i) => task({ name: `command ${i + 1}${i === 0 ? ' (bench dir)' : ''}`, action: command(c) })),
  ...FIVE.map((i) =>
    task({
      name: `lineinfile ${i}`,
      action: lineinfile({ path: at('settings.conf'), regexp: `^key${i}\\s*=`, line: `key${i} = value${i}`, create: true, mode: '0644' }),
    }),
  ),
  ...FIVE.map((i) =>
    task({ name: `copy ${i}`, action: copy({ dest: at(`copy${i}.txt`), content: `copy ${i}: written by the vpha benchmark\n`, mode: '0644' }) }),
  ),
  ...FIVE.map((i) =>
    task({
      name: `template ${i}`,
      action: (h) => template({ src: TEMPLATE, dest: at(`template${i}.conf`), vars: { host: h.name, index: i, dir: BENCH_DIR }, mode: '0644' }),
    }),
  ),
];

export const workload = playbook('bench-workload', [play({ name: 'vpha benchmark workload a', hosts: 'all', tasks })]);

runIfMain(module, workload);
