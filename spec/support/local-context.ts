// A ModuleContext on the controller itself (LocalConnection), for specs that drive modules against real tools.
import type { Facts, HostName, ModuleContext } from '../../engine/types';
import { LocalConnection } from '../../engine/connection/local';
import { gatherFacts } from '../../engine/facts';

export interface LocalContext extends ModuleContext {
  readonly conn: LocalConnection;
  readonly logs: string[];
  readonly secrets: string[];
}

export async function localContext(opts: { check?: boolean; diff?: boolean; facts?: Facts } = {}): Promise<LocalContext> {
  const conn = new LocalConnection('localhost' as HostName);
  const facts = opts.facts ?? (await gatherFacts(conn));
  const logs: string[] = [];
  const secrets: string[] = [];
  return {
    host: conn.host,
    conn,
    facts,
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    become: false,
    hostCache: new Map(),
    connectionTo(host: HostName) {
      if (host !== conn.host) throw new Error(`no host ${host} in a local context`);
      return conn;
    },
    log: (line) => logs.push(line),
    secret: (v) => secrets.push(v),
    logs,
    secrets,
  };
}

/** The same host seen with --check (and a fresh per-host cache). */
export function withCheck(ctx: LocalContext, check: boolean): LocalContext {
  const logs: string[] = [];
  const secrets: string[] = [];
  return { ...ctx, check, hostCache: new Map(), logs, secrets, log: (l) => logs.push(l), secret: (v) => secrets.push(v) };
}
