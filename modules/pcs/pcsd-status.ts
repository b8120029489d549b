// `pcs status pcsd NODE...`: whether this host's pcs can talk to pcsd on each node with a valid token.
import type { ModuleContext } from '../../engine/types';
import { sh } from '../../engine/shell';
import { probe } from '../lib/exec';

export type PcsdReach = 'Online' | 'Unable to authenticate' | 'Offline' | 'unknown';

/** Lines look like "  vprotect1: Online" (pcs 0.9 and 0.10+ alike); exit 2 when any node is not Online. */
export function parsePcsdStatus(stdout: string, nodes: readonly string[]): Map<string, PcsdReach> {
  const out = new Map<string, PcsdReach>(nodes.map((n) => [n, 'unknown']));
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\S+):\s*(Online|Unable to authenticate|Offline)\s*$/.exec(line);
    if (m && out.has(m[1]!)) out.set(m[1]!, m[2] as PcsdReach);
  }
  return out;
}

export async function pcsdStatus(ctx: ModuleContext, nodes: readonly string[]): Promise<Map<string, PcsdReach>> {
  const r = await probe(ctx, sh`pcs status pcsd ${nodes}`);
  return parsePcsdStatus(r.stdout, nodes);
}
