// A ModuleContext around fake hosts, for module unit specs.
import type { HostName, ModuleContext } from '../../engine/types';
import { FakeConnection } from '../../engine/connection/fake';

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

export function moduleContext(conn: FakeConnection, opts: FakeContextOptions = {}): ModuleContext & { readonly logs: string[]; readonly secrets: string[] } {
  const logs: string[] = [];
  const secrets: string[] = [];
  const peers = new Map<string, FakeConnection>([[conn.host, conn], ...(opts.peers ?? []).map((p) => [p.host, p] as const)]);
  return {
    host: conn.host,
    conn,
    facts: conn.facts,
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    become: opts.become ?? false,
    hostCache: new Map(),
    connectionTo(host: HostName) {
      const c = peers.get(host);
      if (!c) throw new Error(`no fake host ${host}`);
      return c;
    },
    log: (line) => logs.push(line),
    secret: (v) => secrets.push(v),
    logs,
    secrets,
  };
}
