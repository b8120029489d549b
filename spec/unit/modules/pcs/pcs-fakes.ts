// Fake pcs hosts for the pcs module specs: recorded outputs (spec/fixtures/pcs) served by FakeConnection.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FakeConnection } from '../../../support/fake-connection';
import { PCS_VERSION_PROBE } from '../../../../modules/pcs/dialect';
import { fakeHost } from '../../../support/module-context';

export const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../../fixtures/pcs', name), 'utf8');

/** Commands that only read state. */
const READS = [(c: string) => c === PCS_VERSION_PROBE, /^cibadmin --query$/, /^pcs status pcsd/, /^systemctl is-(active|enabled) /];

/** The commands a host ran that could change something. */
export function changing(host: FakeConnection): string[] {
  return host.commands.filter((c) => !READS.some((r) => (typeof r === 'function' ? r(c) : r.test(c))));
}

export interface PcsHostOptions {
  readonly version?: string;
  /** The live CIB (`cibadmin --query`). */
  readonly cib?: string;
}

/** A host with pcs VERSION whose changing pcs commands succeed silently. */
export function pcsHost(name: string, opts: PcsHostOptions = {}): FakeConnection {
  const h = fakeHost(name);
  h.on(/^pcs (-f \S+ )?(property|resource|constraint|node|host|cluster (setup|start|enable|destroy|auth|standby|unstandby|cib-push|cib \S))/, { code: 0 });
  h.on(PCS_VERSION_PROBE, { stdout: `${opts.version ?? '0.11.5-1+deb12u1'}\n` }); // as dpkg-query prints it
  h.on(/^umask 077; cibadmin --query > \S+$/, { code: 0 });
  if (opts.cib !== undefined) h.on(/^cibadmin --query$/, { stdout: opts.cib });
  return h;
}
