import { z } from 'zod';
import { clusterVars } from '../shared/cluster';
import { storageVars } from '../shared/storage-vars';

/** What the report reads: which DRBD resource and device (the inventory's, as the drbd role uses them). */
export const statusReportVars = z.object({ ...clusterVars, ...storageVars });
export type StatusReportVars = z.output<typeof statusReportVars>;
