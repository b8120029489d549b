// The power-cut writer the storage spec and the recovery benchmark share: numbered records appended to a file
// on the replicated filesystem, each acknowledged only once it is on stable storage, so "acknowledged" means
// "DRBD (protocol C) had it on both disks" and a record missing after a cut is a lost write.
import { q } from '../engine/shell';
import { missingAcked, numberedLines, startAckWriter, type RecordWriter } from './ack-writer';

export type { RecordWriter } from './ack-writer';

export const RECORDS_FILE = '/vprotect_data/records';

/**
 * A writer on a lab host over its own ssh: appends `record N` to `file`, fsync'd (coreutils `sync FILE`)
 * before `ack N` is printed.
 */
export function startWriter(ip: string, file: string = RECORDS_FILE): RecordWriter {
  const f = q(file);
  return startAckWriter(ip, `i=0; while :; do i=$((i+1)); echo "record $i" >> ${f} && sync ${f} && echo "ack $i" || exit 1; done`);
}

/** The acknowledged record numbers (1..acked) that the file's text does not hold: lost writes. */
export function missingRecords(acked: number, fileText: string): number[] {
  return missingAcked(acked, numberedLines(fileText, /^record (\d+)$/));
}
