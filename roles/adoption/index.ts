// adoption_checks: read-only, before any role changes anything. For a cluster someone built by hand (or any
// cluster these roles did not build), it says what each MariaDB is, what replication needs, which settings and
// hand-made option lines would change, what the CIB has that the roles would recreate or leave alone, and it
// refuses, on every host at once, what cannot be converged safely. site.ts runs it first; adopt.ts runs it alone.
import { z } from 'zod';
import { role } from '../../engine/dsl';
import { mariadbVars } from '../mariadb_master_master/vars';
import { pacemakerVars } from '../pacemaker/vars';
import { mariadbPlanTasks, settingsTask, strayLinesReport } from '../mariadb_master_master';
import { cibPlanTask } from '../pacemaker';
import { quorumDeviceCheck } from '../pacemaker/quorum-device';

export const adoptionVars = z.object({ ...mariadbVars.shape, ...pacemakerVars.shape });

export const adoptionChecks = role({
  name: 'adoption_checks',
  tags: ['mariadb', 'pacemaker', 'adoption'],
  vars: adoptionVars,
  // The arbiter's variables first: a wrong one is refused before anything is read or changed.
  tasks: [quorumDeviceCheck, ...mariadbPlanTasks, strayLinesReport, settingsTask(true), cibPlanTask],
});
