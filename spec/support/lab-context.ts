// A ModuleContext on a lab host over real SSH (engine/connection), for module integration specs.
import type { HostName } from '../../engine/types';
import { contextFor, withFlags, type RecordingContext } from './module-context';
import { gatherFacts } from '../../engine/facts';
import type { LabHandle } from './lab';

export type LabContext = RecordingContext;

/** `name`'s context; connectionTo reaches the other lab hosts (cross-host copies). */
export async function labContext(lab: LabHandle, name: string, opts: { check?: boolean; diff?: boolean } = {}): Promise<LabContext> {
  const conn = lab.connect(name);
  return contextFor(conn, await gatherFacts(conn), opts, (host: HostName) => (host === conn.host ? conn : lab.connect(host)));
}

export { withFlags };
