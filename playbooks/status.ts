// Read-only, any time: each node's DRBD role, disk and connection, pacemaker as each node sees it, and whether
// DRBD is in split brain, with the way out. It changes nothing, and never chooses a side.
//   npx ts-node playbooks/status.ts -i inventory/prod
// Exit: 0 no split brain, every state read (a degraded pair is reported, not failed: DRBD reconnects and
// resyncs by itself); 2 a split brain (the message says how to resolve it) or a state that could not be read
// (the FAILED line says which); 4 a node unreachable.
import { play, playbook } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { statusReport } from '../roles/status_report';

export const status = playbook('status', [
  play({ name: 'vProtect HA status (read-only)', hosts: 'cluster', become: true, roles: [statusReport] }),
]);

runIfMain(module, status);
