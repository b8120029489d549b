// The arbiter variable the common role (corosync-qdevice on the nodes) and the pacemaker role (the arbiter's
// set-up and the quorum device) both read: declared once here.
import { z } from 'zod';

export const quorumVars = {
  /**
   * The cluster's arbiter: an inventory host that is not a cluster node, where the pacemaker role sets up
   * corosync-qnetd (and pcsd, which pcs needs to hand out its certificates). The nodes get a corosync quorum
   * device voting through it, so only one half of a partition keeps quorum and promotes DRBD; with it the quorum
   * policy defaults to stop. Unset (the how-to): two nodes and no arbiter, where a cut link leaves two Primaries.
   */
  pacemaker_quorum_device: z
    .strictObject({
      /** The arbiter's inventory name (checked against the inventory); its ansible_host is where qnetd listens. */
      host: z.string().min(1),
      /** ffsplit: exactly one half of an even split gets the vote (the node holding the floating IP wins a tie). */
      algorithm: z.enum(['ffsplit', 'lms']).default('ffsplit'),
    })
    .optional(),
};
