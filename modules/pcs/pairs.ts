// Comparing wanted name=value settings with what the CIB holds.

export type WantedPairs = Readonly<Record<string, string | number | boolean>>;

/** The wanted pairs whose CIB value differs (as strings), and the CIB's value of each wanted name. */
export function changedPairs(
  have: Readonly<Record<string, string>>,
  want: WantedPairs,
  same: (name: string, a: string, b: string) => boolean = (_n, a, b) => a === b,
): { before: Record<string, string | undefined>; changes: Record<string, string> } {
  const before: Record<string, string | undefined> = {};
  const changes: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) {
    const wanted = String(v);
    before[k] = have[k];
    const current = have[k];
    // An empty wanted value means "unset": a change only when something is set.
    if (wanted === '' ? current !== undefined : current === undefined || !same(k, current, wanted)) changes[k] = wanted;
  }
  return { before, changes };
}

export function describePairs(pairs: WantedPairs): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Pacemaker durations in ms ("30s", "5min", "90" = seconds), or undefined when not one. */
export function durationMs(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult = unit.startsWith('ms') ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000;
  return n * mult;
}

const DURATION_NAMES = new Set(['interval', 'timeout', 'failure-timeout', 'start-delay', 'interval-origin', 'dampen']);

/** Same value for pacemaker: equal strings, or equal durations for time-valued names. */
export function sameValue(name: string, a: string, b: string): boolean {
  if (a === b) return true;
  const bool = /^(true|false|yes|no|on|off)$/i;
  if (bool.test(a) && bool.test(b)) return /^(true|yes|on)$/i.test(a) === /^(true|yes|on)$/i.test(b);
  if (DURATION_NAMES.has(name)) {
    const [x, y] = [durationMs(a), durationMs(b)];
    return x !== undefined && x === y;
  }
  return false;
}
