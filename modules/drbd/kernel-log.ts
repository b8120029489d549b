// What the kernel log says about a resource's split brain: DRBD decides it in the kernel, at the handshake
// after a reconnect, and says so only there ("Split-Brain detected but unresolved, dropping connection!").
// A pure reading of that log, plus the shell read that fetches it.

/** A kernel log line that tells where the resource's split brain stands, oldest first in the log. */
export interface SplitBrainLogEvent {
  /**
   * unresolved: DRBD found the data diverged and dropped the connection; resolved: a later handshake settled
   * it (a discard, manual or by policy); handshake: a later connection attempt (a reconnect that went on
   * without a split brain, or the start of one whose verdict follows).
   */
  readonly kind: 'unresolved' | 'resolved' | 'handshake';
  readonly line: string;
}

/**
 * The kernel's DRBD lines (journald's kernel log of this boot, else the ring buffer, which may have rotated
 * them out), bounded: the latest ones decide. 8.4 names a connection `d-con RES:` (out-of-tree) or `drbd RES:`
 * (in-tree), a device `block drbdN:`; DRBD 9 `drbd RES/VOL drbdN PEER:`; all contain one of the two words.
 */
export const KERNEL_LOG_READ =
  "log=$(journalctl -k -o cat --no-pager 2>/dev/null | grep -E 'drbd|d-con ' | tail -n 5000); " +
  "[ -n \"$log\" ] || log=$(dmesg 2>/dev/null | grep -E 'drbd|d-con ' | tail -n 5000); " +
  'printf \'%s\\n\' "$log"';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a line is about `resource`: by its name (DRBD 9, and 8.4's connection lines), or by the minor of
 * its device, which is all 8.4 names in its split-brain line (`block drbd0: Split-Brain detected ...`).
 * The prefix may follow a dmesg timestamp (`[  12.3] `) or a syslog header (`host kernel: `).
 */
function aboutResource(resource: string, minor: number | undefined): (line: string) => boolean {
  const start = '(?:^|[\\s\\]])';
  const byName = new RegExp(`${start}(?:drbd ${escape(resource)}(?:/\\d+)?[ :]|d-con ${escape(resource)}: )`);
  const byMinor = minor === undefined ? undefined : new RegExp(`${start}block drbd${minor}: `);
  return (line) => byName.test(line) || (byMinor?.test(line) ?? false);
}

function kindOf(line: string): SplitBrainLogEvent['kind'] | undefined {
  if (/Split-Brain detected but unresolved/.test(line)) return 'unresolved';
  // "Split-Brain detected, manually solved. Sync from peer node", "..., 1 primaries, automatically solved. ..."
  if (/Split-Brain detected, .*solved/.test(line)) return 'resolved';
  // 8.4: "Handshake successful: Agreed network protocol version 101"; 9: "Handshake to peer 1 successful: ..."
  if (/Handshake (?:to peer \d+ )?successful/.test(line)) return 'handshake';
  return undefined;
}

/** The latest line about the resource's split brain or its connection attempts; undefined when there is none. */
export function lastSplitBrainEvent(log: string, resource: string, minor?: number): SplitBrainLogEvent | undefined {
  const about = aboutResource(resource, minor);
  let last: SplitBrainLogEvent | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    const kind = line && about(line) ? kindOf(line) : undefined;
    if (kind) last = { kind, line };
  }
  return last;
}

/** `/dev/drbd0` -> 0: the minor 8.4's device lines name; undefined for a device path that does not say it. */
export function minorOf(device: string): number | undefined {
  const m = /^\/dev\/drbd(\d+)$/.exec(device);
  return m ? Number(m[1]) : undefined;
}
