import { z } from 'zod';
import { clusterVars } from '../shared/cluster';

export const vdoVars = z.object({
  ...clusterVars,
  vdo_enabled: z.boolean().default(false),
  vdo_name: z.string().regex(/^[A-Za-z0-9_-]+$/).default('vdo_data'),
  vdo_logical_size: z.string().regex(/^[0-9]+[KMGTP]$/, { error: 'expected a size such as 400G' }).default('400G'),
  drbd_device: z.string().default('/dev/drbd0'),
  /** Create the VDO volume even over a device with a signature: destroys its data. */
  vdo_force: z.boolean().default(false),
  data_force_mkfs: z.boolean().default(false),
  data_mount: z.string().default('/vprotect_data'),
  data_fstype: z.enum(['xfs', 'ext4']).default('xfs'),
  data_owner: z.string().default('vprotect'),
});
export type VdoVars = z.output<typeof vdoVars>;
