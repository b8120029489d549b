// Running controller commands for the lab: argv arrays (no shell unless asked), captured output,
// errors that carry the command and its stderr tail.
import { spawn } from 'node:child_process';
import { promises as fs, openSync, closeSync } from 'node:fs';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Append stdout and stderr to this file instead of capturing them (long build steps). */
  readonly logFile?: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly result: RunResult,
    detail: string,
  ) {
    super(`${argv.join(' ')} exited ${result.code}${detail ? `:\n${detail}` : ''}`);
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Run a command; never throws for a non-zero exit (see must). */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const logFd = opts.logFile ? openSync(opts.logFile, 'a') : undefined;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
      stdio: ['pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
    if (logFd !== undefined) closeSync(logFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** Run a command and throw CommandError (with its stderr or log tail) unless it exits 0. */
export async function must(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const detail = opts.logFile
      ? `${tail(await fs.readFile(opts.logFile, 'utf8').catch(() => ''))}\n(full log: ${opts.logFile})`
      : tail(r.stderr || r.stdout);
    throw new CommandError(argv, r, detail);
  }
  return r;
}

/** Whether a command is on PATH (sbin included: the controller runs as root). */
export async function haveCommand(cmd: string): Promise<boolean> {
  const r = await run(['sh', '-c', 'PATH="$PATH:/usr/sbin:/sbin"; command -v "$1"', 'sh', cmd]);
  return r.code === 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until check() is true or the deadline passes; returns the last answer. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** A lab-level log line on stderr (stdout stays free for command output like `status`). */
export function say(line: string): void {
  process.stderr.write(`lab: ${line}\n`);
}
