// ModuleContext.on(host): the context a cross-host module reaches another host through (mysql pairs, copies
// from a peer). The one implementation, for the runner's contexts and the specs' alike.
import type { HostName, ModuleContext } from '../types';

/**
 * `ctx` itself for its own host; else the other host's connection with this task's flags, a fresh per-host
 * cache and `[host]`-prefixed log lines (facts stay this host's: only the connection and flags serve the reads).
 * `ctx` must be a plain object (a spread keeps every field it has).
 */
export function contextOn(ctx: ModuleContext, host: HostName): ModuleContext {
  if (host === ctx.host) return ctx;
  const conn = ctx.connectionTo(host);
  const peer: ModuleContext = {
    ...ctx,
    host: conn.host,
    conn,
    hostCache: new Map(),
    log: (line) => ctx.log(`[${conn.host}] ${line}`),
    on: (other) => contextOn(peer, other),
  };
  return peer;
}
