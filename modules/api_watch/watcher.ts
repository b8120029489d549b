// A running watch: one request every interval from the controller, each on its own (a slow answer never delays
// the next request), every answer kept as a sample. Watches outlive the task that starts them and are found
// again by id by the task that ends them; one left behind (its run failed in between) ends itself at its cap,
// and its timer never keeps the process alive.
import { randomUUID } from 'node:crypto';
import type { Sample } from './outage';
import { httpProbe, type HttpProbe } from './http-probe';

export interface WatchSettings {
  readonly url: URL;
  readonly intervalMs: number;
  /** A request unanswered for this long counts as unavailable. */
  readonly timeoutMs: number;
  /** The watch stops sending after this long, ended or not. */
  readonly capMs: number;
  readonly probe?: HttpProbe;
}

export interface WatchSample extends Sample {
  readonly why?: string;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Watch {
  readonly id = randomUUID();
  readonly startedAt = now();
  private readonly samples: WatchSample[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private sending = true;

  constructor(private readonly s: WatchSettings) {
    this.timer = setInterval(() => this.send(), s.intervalMs);
    this.timer.unref();
    this.send();
  }

  /** Whether sending stopped at the cap rather than by end(). */
  get capped(): boolean {
    return !this.sending && now() - this.startedAt >= this.s.capMs;
  }

  /** The newest request that has an answer was answered, and was sent at `since` or later. */
  answering(since = this.startedAt): boolean {
    const newest = this.newest();
    return newest !== undefined && newest.ok && newest.at >= since;
  }

  /** The newest answered-or-not sample, for messages. */
  newest(): WatchSample | undefined {
    return this.samples.reduce<WatchSample | undefined>((a, b) => (a === undefined || b.at > a.at ? b : a), undefined);
  }

  /** Waits until a request sent at `since` or later (default: now) is answered (true) or `ms` pass (false). */
  async untilAnswering(ms: number, since = now()): Promise<boolean> {
    const deadline = now() + ms;
    while (!this.answering(since)) {
      if (now() >= deadline || !this.sending) return this.answering(since);
      await sleep(Math.min(this.s.intervalMs, Math.max(1, deadline - now())));
    }
    return true;
  }

  /** Stops sending, waits for the requests still out, and gives every sample in the order sent. */
  async end(): Promise<WatchSample[]> {
    this.stop();
    await Promise.all([...this.inFlight]);
    return [...this.samples].sort((a, b) => a.at - b.at);
  }

  private stop(): void {
    this.sending = false;
    clearInterval(this.timer);
  }

  private send(): void {
    if (!this.sending) return;
    const at = now();
    if (at - this.startedAt >= this.s.capMs) return this.stop();
    const sent = (this.s.probe ?? httpProbe)(this.s.url, this.s.timeoutMs).then((a) => {
      this.samples.push({ at, ok: a.ok, ...(a.why !== undefined ? { why: a.why } : {}) });
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}

/** The watches of this process, by id, from the task that starts one to the task that ends it. */
const running = new Map<string, Watch>();

export function startWatch(s: WatchSettings): Watch {
  const w = new Watch(s);
  running.set(w.id, w);
  return w;
}

/** The watch with this id, taken out of the running set (it is ending); undefined when there is none. */
export function takeWatch(id: string): Watch | undefined {
  const w = running.get(id);
  running.delete(id);
  return w;
}
