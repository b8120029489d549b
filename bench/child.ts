// One timed child process: the wall time of a whole command, as a user would wait for it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../lab/config';

export interface Timed {
  readonly ms: number;
  /** CPU time the whole machine spent busy meanwhile (lab hosts' sshd and shells included). */
  readonly machineCpuMs: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Cmd {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** What the report calls it, e.g. `npx ts-node bench/workload.ts`. */
  readonly label: string;
  /** Run before each timed run, outside the timing (e.g. dropping the type-check stamp). */
  readonly before?: () => void;
  /** Run once the child ended, however it ended (e.g. undoing a source edit). */
  readonly after?: () => void;
}

/** Busy CPU time of the whole machine so far (/proc/stat, all cores, in ms; USER_HZ is 100 on Linux). */
export function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Output a child may print before it is cut off (the recap comes last, so keep the tail). */
const KEEP_BYTES = 256 * 1024;

export function timed(cmd: Cmd, timeoutMs = 30 * 60_000): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = cmd.argv;
    cmd.before?.();
    const cpu0 = machineBusyMs();
    const t0 = process.hrtime.bigint();
    const child = spawn(file!, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ...cmd.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const keep = (into: Buffer[]) => (b: Buffer) => {
      into.push(b);
      while (into.length > 1 && into.reduce((n, x) => n + x.length, 0) > KEEP_BYTES) into.shift();
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      cmd.after?.();
      reject(new Error(`${cmd.label}: cannot start ${file}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      cmd.after?.();
      resolve({ ms, machineCpuMs: machineBusyMs() - cpu0, code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The last lines of a run's output, for a failure message. */
export function tailOf(r: Timed, lines = 15): string {
  return `${r.stdout}\n${r.stderr}`.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Progress lines go to stderr; the report (stdout) stays clean to paste or parse. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
