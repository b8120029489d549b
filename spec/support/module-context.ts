// A ModuleContext around fake hosts, for module unit specs.
import type { Connection, Facts, HostName, ModuleContext } from '../../engine/types';
import { contextOn } from '../../engine/runner/context-on';
import { FakeConnection } from './fake-connection';

export interface FakeContextOptions {
  readonly check?: boolean;
  readonly diff?: boolean;
  readonly become?: boolean;
  /** Other fake hosts reachable through ctx.connectionTo (cross-host copies). */
  readonly peers?: readonly FakeConnection[];
}

export function fakeHost(name: string): FakeConnection {
  return new FakeConnection(name as HostName);
}

/** A ModuleContext that records what the module logs and marks secret. */
export type RecordingContext<C extends Connection = Connection> = ModuleContext & { readonly conn: C; readonly logs: string[]; readonly secrets: string[] };

/** The context any spec hands a module: its host's connection and facts, flags, and how to reach peers. */
export function contextFor<C extends Connection>(
  conn: C,
  facts: Facts,
  opts: { readonly check?: boolean; readonly diff?: boolean; readonly become?: boolean },
  connectionTo: (host: HostName) => Connection,
): RecordingContext<C> {
  const logs: string[] = [];
  const secrets: string[] = [];
  const ctx: RecordingContext<C> = {
    host: conn.host,
    conn,
    facts,
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    become: opts.become ?? false,
    hostCache: new Map(),
    connectionTo,
    on: (host) => contextOn(ctx, host),
    log: (line) => logs.push(line),
    secret: (v) => secrets.push(v),
    logs,
    secrets,
  };
  return ctx;
}

/** The same host and connection seen with other flags (and a fresh per-host cache and records). */
export function withFlags<T extends RecordingContext>(ctx: T, flags: { readonly check?: boolean; readonly diff?: boolean }): T {
  const fresh = contextFor(ctx.conn, ctx.facts, { check: flags.check ?? ctx.check, diff: flags.diff ?? ctx.diff, become: ctx.become }, (h) => ctx.connectionTo(h));
  return { ...ctx, ...fresh };
}

export function moduleContext(conn: FakeConnection, opts: FakeContextOptions = {}): RecordingContext<FakeConnection> {
  const peers = new Map<string, FakeConnection>([[conn.host, conn], ...(opts.peers ?? []).map((p) => [p.host, p] as const)]);
  return contextFor(conn, conn.facts, opts, (host) => {
    const c = peers.get(host);
    if (!c) throw new Error(`no fake host ${host}`);
    return c;
  });
}
