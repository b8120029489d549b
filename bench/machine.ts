// The machine the figures come from, for bench/RESULTS.md.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
}

export function machine(): Machine {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? os.type(),
    node: process.version,
  };
}

/** The 1-minute load average: other work on the machine skews wall times. */
export const load1 = (): string => os.loadavg()[0]!.toFixed(2);
