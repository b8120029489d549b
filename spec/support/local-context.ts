// A ModuleContext on the controller itself (LocalConnection), for specs that drive modules against real tools.
import type { Facts, HostName } from '../../engine/types';
import { contextFor, withFlags, type RecordingContext } from './module-context';
import { LocalConnection } from '../../engine/connection/local';
import { gatherFacts } from '../../engine/facts';

export type LocalContext = RecordingContext<LocalConnection>;

export async function localContext(opts: { check?: boolean; diff?: boolean; facts?: Facts } = {}): Promise<LocalContext> {
  const conn = new LocalConnection('localhost' as HostName);
  return contextFor(conn, opts.facts ?? (await gatherFacts(conn)), opts, (host: HostName) => {
    if (host !== conn.host) throw new Error(`no host ${host} in a local context`);
    return conn;
  });
}

/** The same host seen with --check (and a fresh per-host cache). */
export const withCheck = (ctx: LocalContext, check: boolean): LocalContext => withFlags(ctx, { check });
