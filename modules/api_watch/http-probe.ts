// One request to an HTTP(S) endpoint from the controller (this process), on a connection of its own: what a
// client connecting now would get. Answered means a status below 400 within the timeout, as `curl -f` (the
// vprotect_registration role's wait for the API) counts it.
import * as http from 'node:http';
import * as https from 'node:https';

export interface ProbeAnswer {
  readonly ok: boolean;
  /** Why not: the HTTP status, or the socket's error code (ECONNREFUSED, EHOSTUNREACH, a timeout). */
  readonly why?: string;
}

export type HttpProbe = (url: URL, timeoutMs: number) => Promise<ProbeAnswer>;

export const httpProbe: HttpProbe = (url, timeoutMs) =>
  new Promise((resolve) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    // agent: false: no pooled keep-alive socket to a node that held the address a moment ago.
    const req = get(url, { agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      resolve(status > 0 && status < 400 ? { ok: true } : { ok: false, why: `HTTP ${status}` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, why: e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message) }));
  });
