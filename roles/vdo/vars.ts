import { z } from 'zod';
import { clusterVars } from '../shared/cluster';
import { storageVars } from '../shared/storage-vars';

export const vdoVars = z.object({
  ...clusterVars,
  ...storageVars,
  vdo_logical_size: z.string().regex(/^[0-9]+[KMGTP]$/, { error: 'expected a size such as 400G' }).default('400G'),
  /** Create the VDO volume even over a device with a signature: destroys its data. */
  vdo_force: z.boolean().default(false),
});
export type VdoVars = z.output<typeof vdoVars>;
