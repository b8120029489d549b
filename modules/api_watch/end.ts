// api_watch_end: wait until the watched endpoint answers again, end the watch api_watch_start began, and say
// how long the endpoint was unavailable (modules/api_watch/outage.ts). Fails when it does not answer in time.
import type { ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { outageOf } from './outage';
import { takeWatch } from './watcher';

export interface ApiWatchEndParams {
  /** api_watch_start's watchId. */
  readonly watchId: string;
  /** The endpoint, as api_watch_start named it (for messages). */
  readonly endpoint: string;
  /** What the watch spanned: "the fail-over". */
  readonly during: string;
  /** How long the endpoint may take to answer again (default 600 s). */
  readonly waitSeconds?: number;
}

export interface ApiOutageResult extends ModuleResult {
  readonly endpoint: string;
  /** The longest time it was unavailable, in milliseconds. */
  readonly longestMs: number;
  /** How many separate times it was unavailable. */
  readonly windows: number;
  /** Requests sent. */
  readonly samples: number;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export const apiWatchEnd = defineModule<ApiWatchEndParams, ApiOutageResult>({
  name: 'api_watch_end',
  checkMode: true,
  describe: (p) => `wait for ${p.endpoint} to answer, end its watch`,
  async run(p, ctx) {
    const waitSeconds = p.waitSeconds ?? 600;
    if (ctx.check) return { changed: false, endpoint: p.endpoint, longestMs: 0, windows: 0, samples: 0, msg: `would wait up to ${waitSeconds} s for ${p.endpoint} to answer and end its watch` };
    const watch = takeWatch(p.watchId);
    if (!watch) throw new ModuleError(`no watch of ${p.endpoint} is running (id ${p.watchId}): its start task did not run in this run`);
    const answered = await watch.untilAnswering(waitSeconds * 1000);
    const capped = watch.capped;
    const last = watch.newest()?.why;
    const samples = await watch.end();
    const outage = outageOf(samples);
    if (!answered) {
      const why = capped ? 'the watch reached its cap' : `it did not answer within ${waitSeconds} s`;
      throw new ModuleError(`${p.endpoint} unavailable for ${seconds(outage.longestMs)} s so far after ${p.during} (last: ${last ?? 'no answer'}): ${why}`);
    }
    const windows = outage.windows === 1 ? '1 window' : `${outage.windows} windows`;
    return {
      changed: false,
      endpoint: p.endpoint,
      longestMs: outage.longestMs,
      windows: outage.windows,
      samples: samples.length,
      msg: `${p.endpoint} unavailable ${seconds(outage.longestMs)} s during ${p.during} (${windows}, ${samples.length} requests)`,
    };
  },
});
