// api_watch_start: start watching an HTTP endpoint from the controller (this process, not the host the task
// runs for), e.g. the vProtect API on the floating IP while the cluster moves it. It first waits for the
// endpoint to answer, since a watch of something already unavailable measures nothing; the watch then runs
// on while later tasks run, until api_watch_end (start.ts's result carries its id). Changes nothing anywhere.
import type { ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { endpointOf, watchedUrl } from './endpoint';
import { startWatch, takeWatch } from './watcher';

export interface ApiWatchStartParams {
  readonly url: string;
  /** What the watch spans, for messages: "the fail-over". */
  readonly during: string;
  /** Milliseconds between requests (default 200). */
  readonly intervalMs?: number;
  /** A request unanswered this long counts as unavailable (default 2000 ms). */
  readonly requestTimeoutMs?: number;
  /** How long the endpoint may take to answer the first time (default 10 s). */
  readonly answerSeconds?: number;
  /** The watch stops by itself after this long (default 3600 s): one whose end task never ran. */
  readonly capSeconds?: number;
  /** Appended to the failure when the endpoint does not answer, saying what the user can do. */
  readonly hint?: string;
  /**
   * When the endpoint does not answer first: 'fail' (default: the task fails, so what it would measure does not
   * happen), or 'skip' (nothing is watched and the task says why, so it does not stand in the way).
   */
  readonly unanswered?: 'fail' | 'skip';
}

export interface ApiWatchStartResult extends ModuleResult {
  readonly endpoint: string;
  /** The running watch, for api_watch_end; undefined under --check and when skipped (nothing is watched). */
  readonly watchId?: string;
}

interface Checked {
  readonly url: URL;
  readonly endpoint: string;
  readonly intervalMs: number;
}

export const apiWatchStart = defineModule<ApiWatchStartParams, ApiWatchStartResult, Checked>({
  name: 'api_watch_start',
  checkMode: true,
  describe: (p) => `watch ${p.url} from the controller during ${p.during}`,
  preflight(p) {
    const url = watchedUrl(p.url, 'api_watch_start');
    return { url, endpoint: endpointOf(url), intervalMs: p.intervalMs ?? 200 };
  },
  async run(p, ctx, { url, endpoint, intervalMs }) {
    const every = `every ${intervalMs} ms from the controller during ${p.during}`;
    if (ctx.check) return { changed: false, endpoint, msg: `would watch ${url.href} ${every}` };
    const requestTimeoutMs = p.requestTimeoutMs ?? 2000;
    const answerSeconds = p.answerSeconds ?? 10;
    const watch = startWatch({ url, intervalMs, timeoutMs: requestTimeoutMs, capMs: (p.capSeconds ?? 3600) * 1000 });
    if (!(await watch.untilAnswering(answerSeconds * 1000 + requestTimeoutMs, watch.startedAt))) {
      const last = watch.newest()?.why ?? 'no answer';
      await takeWatch(watch.id)?.end();
      const why = `${url.href} does not answer from the controller (${last}) within ${answerSeconds} s: nothing to measure ${p.during} against`;
      if (p.unanswered === 'skip') return { changed: false, endpoint, msg: `not watching: ${why}` };
      throw new ModuleError(`${why}${p.hint ? `. ${p.hint}` : ''}`);
    }
    return { changed: false, endpoint, watchId: watch.id, msg: `watching ${url.href} ${every}` };
  },
});
