// What the power-cut writers share (record-writer.ts: file records, row-writer.ts: MariaDB rows): a shell loop
// run on a lab host over its own ssh that prints `ack N` once write N is durable, the highest N read from that
// output, and which acknowledged numbers a node's copy lacks afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { KNOWN_HOSTS, LAB_KEY } from './config';

export interface RecordWriter {
  readonly proc: ChildProcess;
  /** The highest number acknowledged so far (writes 1..acked are durable). */
  acked(): number;
}

/** The highest `ack N` in output that arrives in chunks (a line may be split between two). */
export class AckReader {
  private last = 0;
  private partial = '';

  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) {
      const m = /^ack (\d+)$/.exec(l);
      if (m) this.last = Number(m[1]);
    }
  }

  get acked(): number {
    return this.last;
  }
}

/**
 * Run `script` on the lab host at `ip` over its own ssh (not the engine's connection: the host's kernel is
 * killed under it, and nothing of the controller's other connections must depend on it), reading its acks.
 */
export function startAckWriter(ip: string, script: string): RecordWriter {
  const proc = spawn('ssh', ['-i', LAB_KEY, '-o', `UserKnownHostsFile=${KNOWN_HOSTS}`, '-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=2', `root@${ip}`, script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const reader = new AckReader();
  proc.stdout!.on('data', (b: Buffer) => reader.feed(b.toString()));
  return { proc, acked: () => reader.acked };
}

/** The numbers in `text`'s lines that match `line` whole (its first group); torn or foreign lines are skipped. */
export function numberedLines(text: string, line: RegExp): number[] {
  return text.split('\n').flatMap((l) => {
    const n = line.exec(l)?.[1];
    return n === undefined ? [] : [Number(n)];
  });
}

/** The acknowledged numbers (1..acked) not in `have`: lost writes. */
export function missingAcked(acked: number, have: Iterable<number>): number[] {
  const held = new Set(have);
  return Array.from({ length: acked }, (_, i) => i + 1).filter((n) => !held.has(n));
}
