import { z } from 'zod';
import { clusterVars } from '../shared/cluster';
import { storageVars } from '../shared/storage-vars';

export const drbdVars = z.object({
  ...clusterVars,
  ...storageVars,
  /** The backing block device, the same size on both nodes. Everything on it is lost at create-md. */
  drbd_disk: z.string().startsWith('/dev/', { error: 'drbd_disk must be a device path such as /dev/sdb' }).default('/dev/sdb'),
  /** Packages; by OS when unset (Debian: drbd-utils; RHEL 7: kmod-drbd84 drbd84-utils; RHEL 8/9: kmod-drbd9x drbd9x-utils). */
  drbd_packages: z.array(z.string()).optional(),
  /** Write DRBD metadata even over a disk that holds a filesystem or old metadata: destroys its data. */
  drbd_force_create_md: z.boolean().default(false),
  /** Seconds the initial sync waits for the peer to connect (it was brought up a moment before). */
  drbd_connect_timeout: z.number().int().min(0).max(3600).default(60),
});
export type DrbdVars = z.output<typeof drbdVars>;
