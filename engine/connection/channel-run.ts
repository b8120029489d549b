// Drives one exec channel: feeds the sudo password only when sudo asks for it, then the command's stdin,
// collects output, and turns exit status, signal or timeout into a code. The marker lines it watches for and
// strips are framing.ts's.
import { constants as osConstants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { cleanStderr, cleanStdout, findPid, isReady, promptCount } from './framing';

export interface RawResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface ChannelRunOptions {
  readonly token: string;
  readonly stdin?: string | Buffer;
  /** Set when the command runs under `sudo -S`: sent once, at sudo's first prompt. */
  readonly sudoPassword?: string;
  readonly timeoutMs?: number;
  /** After a timeout, how long to wait for a late pid line before giving up on the kill. */
  readonly pidWaitMs: number;
  /** Best-effort kill of the command's process group (pid from the pid marker, when it arrived). */
  readonly kill: (pgid: number | undefined) => Promise<void>;
  /** The channel ended without an exit status: the connection is gone. */
  readonly lost: () => Error;
}

export function runOnChannel(ch: ClientChannel, opts: ChannelRunOptions): Promise<RawResult> {
  return new Promise<RawResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outText = ''; // latin1 view of stdout, only while waiting for markers
    let errText = '';
    let promptsSeen = 0;
    let stdinSent = false;
    let pgid: number | undefined;
    let pidArrived: (() => void) | undefined;
    let exit: number | undefined;
    let timedOut = false;
    let channelClosed = false;
    let settled = false;

    const sendStdin = (): void => {
      if (stdinSent) return;
      stdinSent = true;
      ch.end(opts.stdin ?? '');
    };
    if (opts.sudoPassword === undefined) sendStdin();

    ch.on('data', (b: Buffer) => {
      out.push(b);
      if (stdinSent && (pgid !== undefined || !opts.timeoutMs)) return;
      outText += b.toString('latin1');
      if (pgid === undefined) {
        pgid = findPid(outText, opts.token);
        if (pgid !== undefined) pidArrived?.();
      }
      if (!stdinSent && isReady(outText, opts.token)) sendStdin();
    });
    ch.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.sudoPassword === undefined || stdinSent) return;
      errText += b.toString('latin1');
      const count = promptCount(errText, opts.token);
      if (count > promptsSeen) {
        promptsSeen = count;
        // A second prompt means the password was wrong: end stdin so sudo gives up instead of waiting.
        if (promptsSeen === 1) ch.write(`${opts.sudoPassword}\n`);
        else sendStdin();
      }
    });
    const noteExit = (code: unknown, signal: unknown): void => {
      if (exit !== undefined) return;
      if (typeof code === 'number') exit = code;
      else if (typeof signal === 'string') exit = 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0);
    };
    ch.on('exit', noteExit);
    ch.on('error', () => undefined); // the 'close' that follows settles the call
    ch.stderr.on('error', () => undefined);
    // ssh2 gives 'close' the exit event's arguments too. A fast command's exit status can arrive in the same
    // read as the channel itself, before the 'exit' listener above exists: 'close' still carries it.
    ch.on('close', (code?: unknown, signal?: unknown) => {
      noteExit(code, signal);
      channelClosed = true;
      pidArrived?.(); // stop waiting for a pid that will never come
      if (timer) clearTimeout(timer);
      if (settled || timedOut) return; // a timeout settles with 124 once its kill is done
      settled = true;
      if (exit === undefined) return reject(opts.lost());
      resolve(result(exit));
    });

    const result = (code: number): RawResult => ({
      code,
      stdout: cleanStdout(Buffer.concat(out), opts.token),
      stderr: cleanStderr(Buffer.concat(err), opts.token),
    });

    const onTimeout = async (): Promise<void> => {
      timedOut = true;
      // The pid line follows the login shell's startup files: if it is late, wait a little for it.
      if (pgid === undefined && !channelClosed) {
        await new Promise<void>((arrived) => {
          pidArrived = arrived;
          setTimeout(arrived, opts.pidWaitMs).unref();
        });
      }
      await opts.kill(pgid).catch(() => undefined);
      if (settled) return;
      settled = true;
      try {
        ch.close();
      } catch {
        /* already closed */
      }
      const r = result(124);
      resolve({ ...r, stderr: Buffer.concat([r.stderr, Buffer.from(`\ntimed out after ${opts.timeoutMs} ms`)]) });
    };
    const timer = opts.timeoutMs ? setTimeout(() => void onTimeout(), opts.timeoutMs) : undefined;
  });
}
