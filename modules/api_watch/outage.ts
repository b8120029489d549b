// How long an endpoint was unavailable, from a watch's samples: a pure function, nothing else.
//
// Each sample is one request, stamped with the time it was sent. A run of unanswered samples is one window of
// unavailability, from its first sample to the first answered sample after it: the endpoint went away
// somewhere in the interval before that first sample and came back in the one before the answered sample, so
// the window is exact to one polling interval.

export interface Sample {
  /** When the request was sent (milliseconds on any clock the samples share). */
  readonly at: number;
  /** It was answered in time (what counts as an answer is the watcher's business). */
  readonly ok: boolean;
}

export interface Outage {
  /** The longest window, in milliseconds (0: never unavailable). */
  readonly longestMs: number;
  /** When the longest window began (the samples' clock); undefined when there was none. */
  readonly since?: number;
  /** How many separate windows there were. */
  readonly windows: number;
  /** The last samples went unanswered: the last window had not closed when the samples end (it runs to the last one). */
  readonly open: boolean;
}

export function outageOf(samples: readonly Sample[]): Outage {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  let longest: { readonly ms: number; readonly since: number } | undefined;
  let windows = 0;
  let start: number | undefined;
  const close = (end: number): void => {
    if (start !== undefined && (longest === undefined || end - start > longest.ms)) longest = { ms: end - start, since: start };
  };
  for (const s of sorted) {
    if (!s.ok) {
      if (start === undefined) {
        start = s.at;
        windows += 1;
      }
    } else if (start !== undefined) {
      close(s.at);
      start = undefined;
    }
  }
  const open = start !== undefined;
  if (open) close(sorted[sorted.length - 1]!.at);
  return { longestMs: longest?.ms ?? 0, ...(longest ? { since: longest.since } : {}), windows, open };
}
