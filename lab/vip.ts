// Reaching the cluster's floating IP over SSH: it answers with the host key of whichever node holds it,
// so its known_hosts lists every lab host's keys under the VIP's address.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { KNOWN_HOSTS, STATE_DIR, VIP } from './config';

export const VIP_KNOWN_HOSTS = path.join(STATE_DIR, 'known_hosts.vip');

/** Writes (and returns the path of) a known_hosts file accepting any lab cluster host's key at the VIP. */
export function writeVipKnownHosts(): string {
  const lines = readFileSync(KNOWN_HOSTS, 'utf8')
    .split('\n')
    .filter((l) => /^vprotect\d+,/.test(l))
    .map((l) => `${VIP} ${l.split(' ').slice(1).join(' ')}`);
  writeFileSync(VIP_KNOWN_HOSTS, lines.join('\n') + '\n', { mode: 0o600 });
  return VIP_KNOWN_HOSTS;
}
