import { z } from 'zod';
import { clusterVars, port } from '../shared/cluster';
import { DRBD_RESOURCE_NAME } from '../../modules/drbd';

export const drbdVars = z.object({
  ...clusterVars,
  drbd_enabled: z.boolean().default(true),
  drbd_resource: z.string().regex(DRBD_RESOURCE_NAME).default('replicate'),
  /** The backing block device, the same size on both nodes. Everything on it is lost at create-md. */
  drbd_disk: z.string().startsWith('/dev/', { error: 'drbd_disk must be a device path such as /dev/sdb' }).default('/dev/sdb'),
  drbd_device: z.string().default('/dev/drbd0'),
  drbd_port: port.default(7788),
  /** Packages; by OS when unset (Debian: drbd-utils; RHEL 7: kmod-drbd84 drbd84-utils; RHEL 8/9: kmod-drbd9x drbd9x-utils). */
  drbd_packages: z.array(z.string()).optional(),
  /** Write DRBD metadata even over a disk that holds a filesystem or old metadata: destroys its data. */
  drbd_force_create_md: z.boolean().default(false),
  /** Make a filesystem even where one exists: destroys its data. */
  data_force_mkfs: z.boolean().default(false),
  vdo_enabled: z.boolean().default(false),
  data_mount: z.string().default('/vprotect_data'),
  data_fstype: z.enum(['xfs', 'ext4']).default('xfs'),
  data_owner: z.string().default('vprotect'),
});
export type DrbdVars = z.output<typeof drbdVars>;
