// Small statistics for the report: medians and spreads of wall times.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

/** `median (min..max, n runs)` */
export function spread(xs: readonly number[]): string {
  if (xs.length === 0) return 'no runs';
  return `${seconds(median(xs))} (${seconds(Math.min(...xs))}..${seconds(Math.max(...xs))}, ${xs.length} runs)`;
}
