// The power-cut writer the storage spec and the recovery benchmark share: numbered records appended to a file
// on the replicated filesystem, each acknowledged only once it is on stable storage, so "acknowledged" means
// "DRBD (protocol C) had it on both disks" and a record missing after a cut is a lost write.
import { spawn, type ChildProcess } from 'node:child_process';
import { q } from '../engine/shell';
import { KNOWN_HOSTS, LAB_KEY } from './config';

export const RECORDS_FILE = '/vprotect_data/records';

export interface RecordWriter {
  readonly proc: ChildProcess;
  /** The highest record number acknowledged so far (records 1..acked are on stable storage). */
  acked(): number;
}

/**
 * A writer on a lab host over its own ssh (not the engine's connection: the host's kernel is killed under it,
 * and nothing of the controller's other connections must depend on it): appends `record N` to `file`, fsync'd
 * (coreutils `sync FILE`) before `ack N` is printed.
 */
export function startWriter(ip: string, file: string = RECORDS_FILE): RecordWriter {
  const f = q(file);
  const loop = `i=0; while :; do i=$((i+1)); echo "record $i" >> ${f} && sync ${f} && echo "ack $i" || exit 1; done`;
  const proc = spawn('ssh', ['-i', LAB_KEY, '-o', `UserKnownHostsFile=${KNOWN_HOSTS}`, '-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=2', `root@${ip}`, loop], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let last = 0;
  let buf = '';
  proc.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      const m = /^ack (\d+)$/.exec(l);
      if (m) last = Number(m[1]);
    }
  });
  return { proc, acked: () => last };
}

/** The acknowledged record numbers (1..acked) that the file's text does not hold: lost writes. */
export function missingRecords(acked: number, fileText: string): number[] {
  const have = new Set(fileText.split('\n').map((l) => /^record (\d+)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined).map(Number));
  return Array.from({ length: acked }, (_, i) => i + 1).filter((n) => !have.has(n));
}
