// status_report: read-only, what playbooks/status.ts shows on each node: its DRBD side (role, disk, connection),
// pacemaker as that node sees it (after a partition the two views differ), and the pair's split-brain verdict,
// the one thing nothing resolves by itself: it fails, with the way out, and nothing here acts on it.
import { block, dslFor, role } from '../../engine/dsl';
import { clusterStatus } from '../../modules/cluster_status';
import { splitBrainRead, splitBrainRefusal } from '../shared/split-brain';
import { statusReportVars, type StatusReportVars } from './vars';

const { task } = dslFor<StatusReportVars>();

export const statusReport = role({
  name: 'status_report',
  tags: ['status'],
  vars: statusReportVars,
  tasks: [
    block<StatusReportVars>({
      tasks: [
        splitBrainRead<StatusReportVars>({ when: (h) => h.vars.drbd_enabled }),
        task({ name: 'Pacemaker as this node sees it', action: clusterStatus({}) }),
      ],
      // Judged even where a read failed (pacemaker down on a node): the other node's read may still tell.
      always: [splitBrainRefusal<StatusReportVars>({ when: (h) => h.vars.drbd_enabled })],
    }),
  ],
});
