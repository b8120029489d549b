// A ModuleContext on a lab host over real SSH (engine/connection), for module integration specs.
import type { HostName, ModuleContext } from '../../engine/types';
import { gatherFacts } from '../../engine/facts';
import type { LabHandle } from './lab';

export interface LabContext extends ModuleContext {
  readonly logs: string[];
  readonly secrets: string[];
}

/** `name`'s context; connectionTo reaches the other lab hosts (cross-host copies). */
export async function labContext(lab: LabHandle, name: string, opts: { check?: boolean; diff?: boolean } = {}): Promise<LabContext> {
  const conn = lab.connect(name);
  const facts = await gatherFacts(conn);
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
    connectionTo: (host: HostName) => (host === conn.host ? conn : lab.connect(host)),
    log: (line) => logs.push(line),
    secret: (v) => secrets.push(v),
    logs,
    secrets,
  };
}

/** The same host and connection with other flags. */
export function withFlags(ctx: LabContext, flags: { check?: boolean; diff?: boolean }): LabContext {
  const logs: string[] = [];
  const secrets: string[] = [];
  return { ...ctx, check: flags.check ?? ctx.check, diff: flags.diff ?? ctx.diff, hostCache: new Map(), logs, secrets, log: (l) => logs.push(l), secret: (v) => secrets.push(v) };
}
