// roles/shared/ owns what more than one role uses: cluster.ts (below), storage-vars.ts, db-vars.ts and quorum-vars.ts (the
// variables several roles read, declared once), checks.ts (the checks roles start with), check-mode.ts,
// split-brain.ts (the DRBD split-brain check of the drbd role and status.ts).
//
// Variables and lookups every cluster role shares: node names, addresses, the preferred node.
import { z } from 'zod';
import type { HostView } from '../../engine/dsl';
import { ipv4, port } from '../../engine/validate';
import { ModuleError } from '../../engine/errors';

/** Variables each cluster role reads the same way. */
export const clusterVars = {
  /** The node that runs the services when both are up; the first host of the play when unset. */
  preferred_node: z.string().optional(),
  /** This host's address on the cluster network; ansible_host when unset. */
  cluster_address: ipv4.optional(),
  ansible_host: z.string().optional(),
};

export const secret = (what: string) =>
  z.string({ error: `${what} is required (put it in a vault file or reference an environment variable with !env)` }).min(8, {
    error: `${what} must be at least 8 characters`,
  });

export { port };

/** A role's view (preferred_node checked by its schema) or a play's, where it is whatever the inventory holds. */
type ClusterView = HostView<{ readonly preferred_node?: unknown }>;

/** The node that runs the services when both are up: preferred_node, else the first host of the play. */
export function preferredNode(h: ClusterView): string {
  return String(h.vars.preferred_node ?? h.playHosts[0]!);
}

export function isPreferred(h: ClusterView): boolean {
  return h.name === preferredNode(h);
}

/** The other node of a two-node pair. */
export function peerOf(h: HostView<unknown>): string {
  const peers = h.playHosts.filter((n) => n !== h.name);
  if (peers.length !== 1) throw new ModuleError(`a two-node cluster is expected; this play has ${h.playHosts.length} hosts: ${h.playHosts.join(', ')}`);
  return peers[0]!;
}

/** A node's cluster address: cluster_address, else ansible_host, else its name. */
export function nodeAddress(h: HostView<unknown>, node: string): string {
  const v = h.hostvars(node).vars;
  const addr = v.cluster_address ?? v.ansible_host ?? node;
  return String(addr);
}
