// A scripted storage pair (storage-hosts.ts) as a partition leaves it: DRBD 9 installed and up on both with
// UpToDate data, vprotect1 Primary; healed and Connected, or in split brain: both StandAlone, their data moved
// apart from a common generation, vprotect1's kernel log saying so. For the drbd role's and status.ts's specs,
// with the exact words both must say.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Vars } from '../../engine/dsl';
import { BLKID, storagePair, type StoragePair } from './storage-hosts';

const KERNEL_LOG_9 = readFileSync(path.join(__dirname, '../fixtures/drbd/kernel-log-9-split-brain.txt'), 'utf8');

/** `drbdadm get-gi` of each side (DRBD 9's layout): the bitmaps are one generation (flag bits aside), the currents two. */
const GENERATIONS = {
  vprotect1: '7C2F1B4D6E8A0F33:6B1E0A3C5D7F9E21:3A1B2C3D4E5F6070:0000000000000000:1:1:1:0:0:0:0:0:0:0:0:0\n',
  vprotect2: '5D4C3B2A19087F65:6B1E0A3C5D7F9E20:3A1B2C3D4E5F6070:0000000000000000:1:1:0:0:0:0:0:0:0:0:0:0\n',
} as const;

/** A healthy pair on RHEL 8: installed, metadata, up, UpToDate and Connected, XFS on it; vprotect1 Primary. */
export function runningPair(vars: Vars): StoragePair {
  const pair = storagePair({ vprotect1: { rhel: 8 }, vprotect2: { rhel: 8 } }, vars);
  for (const h of pair.state.values()) {
    ['kmod-drbd9x', 'drbd9x-utils'].forEach((p) => h.packages.add(p));
    h.md = true;
    h.up = true;
    h.disk = 'UpToDate';
    h.role = h.name === 'vprotect1' ? 'Primary' : 'Secondary';
    h.devices.set('/dev/drbd0', BLKID.xfs); // the replicated data holds the role's filesystem
  }
  return pair;
}

/** After the heal found their data diverged: both StandAlone, the evidence where DRBD left it. */
export function splitBrain(pair: StoragePair): StoragePair {
  for (const h of pair.state.values()) {
    h.standAlone = true;
    h.generations = GENERATIONS[h.name as keyof typeof GENERATIONS];
    h.kernelLog = h.name === 'vprotect1' ? KERNEL_LOG_9 : '';
  }
  return pair;
}

/** The refusal, word for word, as `self` says it. */
export const splitBrainRefusal = (self: string): string =>
  `DRBD split brain on resource replicate, seen from ${self}: vprotect1 is Primary (disk UpToDate, StandAlone), ` +
  'vprotect2 is Secondary (disk UpToDate, StandAlone). ' +
  'Evidence: vprotect1\'s kernel log: "drbd replicate/0 drbd0 vprotect2: Split-Brain detected but unresolved, dropping connection!"; ' +
  'both StandAlone with data moved apart from a common generation (vprotect1 now at 7C2F1B4D6E8A0F33, vprotect2 at 5D4C3B2A19087F65). ' +
  'Both nodes wrote data the other lacks while they could not reach each other; DRBD keeps both and will not reconnect them ' +
  "until one side's changes are discarded. This playbook will not choose which side: it stops here and changes nothing. " +
  "The way out (LINBIT's manual split-brain recovery): decide which node's changes since the split are to be discarded (the victim) " +
  'and which node keeps its data (the survivor). The victim must be Secondary: if it is Primary, move the cluster\'s resources to the survivor first. ' +
  'On the victim: drbdadm disconnect replicate; drbdadm secondary replicate; drbdadm connect --discard-my-data replicate ' +
  '(DRBD 8.4 answers the disconnect of a StandAlone node with "unknown connection": it is disconnected already, go on). ' +
  'On the survivor, if it is StandAlone: drbdadm connect replicate. ' +
  'The victim then resyncs from the survivor; check with playbooks/status.ts, then run site.ts again.';

/** Commands that would change DRBD's state or discard data: none may run while it is in split brain. */
export const DRBD_CHANGES = /drbdadm (primary|secondary|connect|disconnect|invalidate|adjust|up|down|create-md)|--discard-my-data/;
