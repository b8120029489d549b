// The storage variables (DRBD, VDO, the data filesystem) every role that reads one of them spreads into its
// schema: declared once here, so their rules and defaults cannot differ between roles.
import { z } from 'zod';
import { port } from '../../engine/validate';
import { DRBD_RESOURCE_NAME } from '../../modules/drbd/resource-name';

export const storageVars = {
  /** Replicate /vprotect_data with DRBD; false: the data stays on the local disk. */
  drbd_enabled: z.boolean().default(true),
  /** The resource's name, the rule the drbd modules check (modules/drbd/resource-name.ts). */
  drbd_resource: z.string().regex(DRBD_RESOURCE_NAME).default('replicate'),
  drbd_device: z.string().default('/dev/drbd0'),
  drbd_port: port.default(7788),
  /** VDO (deduplication) on top of the DRBD device. */
  vdo_enabled: z.boolean().default(false),
  vdo_name: z.string().regex(/^[A-Za-z0-9_-]+$/).default('vdo_data'),
  data_mount: z.string().default('/vprotect_data'),
  data_fstype: z.enum(['xfs', 'ext4']).default('xfs'),
  data_owner: z.string().default('vprotect'),
  /** Make a filesystem even where one exists: destroys its data. */
  data_force_mkfs: z.boolean().default(false),
};
