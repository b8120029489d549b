// DRBD's data generation identifiers (`drbdadm get-gi RES`): how two nodes' data are related, compared as
// DRBD's own handshake compares them (drbd_uuid_compare), so a split brain can be told from a plain resync
// while the nodes cannot reach each other to run that handshake.

export interface Generations {
  /** The generation this node's data is in now. */
  readonly current: string;
  /** The generation where this node started tracking changes the peer lacks (zero when it tracks none). */
  readonly bitmap: string;
  /** Older generations, newest first (zero when unused). */
  readonly history: readonly string[];
}

const UUID = /^[0-9A-Fa-f]{16}$/;

/**
 * `drbdadm get-gi` prints `CURRENT:BITMAP:HISTORY1:HISTORY2:flags...` (8.4; DRBD 9 one such line per peer,
 * its bitmap the one kept for that peer): sixteen hex digits each. The first such line counts.
 */
export function parseGenerations(text: string): Generations | undefined {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(':');
    const uuids = fields.slice(0, 4);
    if (uuids.length === 4 && uuids.every((u) => UUID.test(u))) {
      const [current, bitmap, ...history] = uuids.map((u) => u.toUpperCase());
      return { current: current!, bitmap: bitmap!, history };
    }
  }
  return undefined;
}

/** DRBD keeps a flag in an identifier's lowest bit and compares without it (shown as get-gi prints it). */
function normal(uuid: string): string {
  const last = Number.parseInt(uuid.slice(-1), 16) & 0xe;
  return uuid.slice(0, -1).toUpperCase() + last.toString(16).toUpperCase();
}

const ZERO = '0000000000000000';
const known = (u: string): boolean => u !== ZERO;

const compared = (g: Generations): Generations => ({ current: normal(g.current), bitmap: normal(g.bitmap), history: g.history.map(normal) });

/**
 * same: in one generation; resync: one node's data descends from the other's (a resync in one direction
 * settles it); diverged: both moved on from a common generation (a split brain: DRBD will not choose);
 * unrelated: no common generation at all (e.g. metadata created anew on one side).
 */
export type Lineage = 'same' | 'resync' | 'diverged' | 'unrelated';

export function compareGenerations(first: Generations, second: Generations): Lineage {
  const [a, b] = [compared(first), compared(second)];
  if (a.current === b.current) return 'same';
  const descends = (x: Generations, y: Generations): boolean => known(y.current) && (x.bitmap === y.current || x.history.includes(y.current));
  if (descends(a, b) || descends(b, a)) return 'resync';
  if (known(a.bitmap) && a.bitmap === b.bitmap) return 'diverged';
  if (a.history.some((h) => known(h) && b.history.includes(h))) return 'diverged';
  return 'unrelated';
}
