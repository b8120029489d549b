// A ModuleContext for reading another host (cross-host copies): its connection, this task's flags.
import type { Connection, HostName, ModuleContext } from '../../engine/types';

/** Built field by field: the runner's context may keep its methods on a prototype, which a spread would drop. */
export function peerContext(ctx: ModuleContext, conn: Connection): ModuleContext {
  return {
    host: conn.host,
    conn,
    // Only the connection and flags are used for the reads; facts stay this host's.
    facts: ctx.facts,
    check: ctx.check,
    diff: ctx.diff,
    become: ctx.become,
    timeoutMs: ctx.timeoutMs,
    hostCache: new Map(),
    connectionTo: (h) => ctx.connectionTo(h),
    log: (line) => ctx.log(`[${conn.host}] ${line}`),
    secret: (v) => ctx.secret(v),
  };
}

/** The context for reaching `host` from a task (this task's own when it is this host), for cross-host modules. */
export function contextOn(ctx: ModuleContext, host: string): ModuleContext {
  return host === ctx.host ? ctx : peerContext(ctx, ctx.connectionTo(host as HostName));
}
