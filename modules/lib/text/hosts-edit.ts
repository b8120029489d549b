// /etc/hosts edits that touch only what they must: remove names from loopback lines (the HA how-to's
// "delete `127.0.0.1 <hostname>`"), and make `IP name [aliases]` entries for cluster nodes. A line that
// loses its last name is dropped; every other byte stays as it was.
import { body, eolOf, splitLines, terminateLast } from './lines';

export interface HostsEntry {
  readonly ip: string;
  /** Canonical name first, then aliases. */
  readonly names: readonly string[];
}

export interface HostsEdit {
  /** Names to take off loopback lines (127.0.0.0/8 and ::1). */
  readonly removeFromLoopback: readonly string[];
  /**
   * Entries to ensure. A line for the IP gets these names first (other names already on it are kept
   * after them); the names are taken off loopback lines and off other addresses of the same family.
   */
  readonly entries: readonly HostsEntry[];
}

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function tokens(line: string): Token[] {
  const b = body(line);
  const hash = b.indexOf('#');
  const data = hash >= 0 ? b.slice(0, hash) : b;
  return [...data.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
}

export const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1' || ip.toLowerCase().startsWith('::ffff:127.');
const isV6 = (ip: string): boolean => ip.includes(':');
const lower = (s: string): string => s.toLowerCase();

/** Remove the name tokens in `names` (and the whitespace before each); undefined when none is left. */
function removeNames(line: string, names: ReadonlySet<string>): string | undefined {
  const toks = tokens(line);
  const gone = toks.slice(1).filter((t) => names.has(lower(t.text)));
  if (!gone.length) return line;
  if (gone.length === toks.length - 1) return undefined;
  let out = line;
  for (const t of [...gone].reverse()) {
    let from = t.start;
    while (from > 0 && /[ \t]/.test(out[from - 1]!)) from--;
    out = out.slice(0, from) + out.slice(t.end);
  }
  return out;
}

export function editHosts(text: string, e: HostsEdit): string {
  const lines = splitLines(text);
  const out: string[] = [];
  const entryByName = new Map<string, HostsEntry>();
  for (const entry of e.entries) for (const n of entry.names) entryByName.set(lower(n), entry);
  const fromLoopback = new Set([...e.removeFromLoopback.map(lower), ...entryByName.keys()]);

  for (const line of lines) {
    const toks = tokens(line);
    if (toks.length < 1) {
      out.push(line);
      continue;
    }
    const ip = toks[0]!.text;
    let remove: Set<string>;
    if (isLoopback(ip)) remove = fromLoopback;
    else {
      // A node's name on another address of the same family would make it resolve two ways.
      remove = new Set([...entryByName].filter(([, en]) => en.ip !== ip && isV6(en.ip) === isV6(ip)).map(([n]) => n));
    }
    const kept = removeNames(line, remove);
    if (kept !== undefined) out.push(kept);
  }

  for (const entry of e.entries) {
    const wanted = entry.names.map(lower);
    const at = out.findIndex((l) => tokens(l)[0]?.text === entry.ip);
    if (at < 0) {
      terminateLast(out);
      out.push(`${entry.ip} ${entry.names.join(' ')}\n`);
      continue;
    }
    const toks = tokens(out[at]!);
    const names = toks.slice(1).map((t) => lower(t.text));
    if (wanted.every((n, i) => names[i] === n)) continue;
    const line = out[at]!;
    const extras = toks.slice(1).filter((t) => !wanted.includes(lower(t.text)));
    const first = toks[1];
    const sep = first ? line.slice(toks[0]!.end, first.start) : ' ';
    const tail = body(line).slice(toks[toks.length - 1]!.end);
    out[at] = line.slice(0, toks[0]!.end) + sep + [...entry.names, ...extras.map((t) => t.text)].join(' ') + tail + (eolOf(line) || '\n');
  }
  return out.join('');
}
