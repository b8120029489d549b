// One long-lived /bin/sh per host that runs commands sent on its stdin, so sshd sets up one session per
// host instead of one per command. A session costs the host ~6 ms of CPU (fork, the login shell and its
// startup files, then /bin/sh): bench/ measured it as most of a 50-host no-op rerun.
// Each command runs in its own /bin/sh (its `exit`, `cd` and exports stay there) with stdin from /dev/null; a
// per-command marker line on stdout carries the exit status and one on stderr ends its output. The request
// and the markers are framing.ts's; this file finds them in the streams.
import type { ClientChannel } from 'ssh2';
import type { RawResult } from './channel-run';
import { newToken, parseStatus, shellMarkers, shellRequest, STATUS_DIGITS, type CommandSpec, type SudoMode } from './framing';

/** Output of one stream so far, and where the marker line starts in it once it arrived. */
class Collected {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private tail = Buffer.alloc(0);
  private at?: number;

  constructor(private readonly marker: Buffer) {}

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
    if (this.at !== undefined) return;
    const window = Buffer.concat([this.tail, b]); // the marker may straddle two chunks
    const found = window.indexOf(this.marker);
    if (found >= 0) this.at = this.length - window.length + found;
    else this.tail = window.subarray(Math.max(0, window.length - this.marker.length + 1));
  }

  /** Once the marker and `after` bytes past it arrived: the output before it and those bytes. */
  split(after: number): { readonly output: Buffer; readonly after: Buffer } | undefined {
    const end = this.at === undefined ? Infinity : this.at + this.marker.length;
    if (this.at === undefined || this.length < end + after) return undefined;
    const all = Buffer.concat(this.chunks, this.length);
    return { output: all.subarray(0, this.at), after: all.subarray(end, end + after) };
  }
}

interface Pending {
  readonly out: Collected;
  readonly err: Collected;
  stdout?: Buffer;
  code?: number;
  stderr?: Buffer;
  readonly resolve: (r: RawResult) => void;
  readonly reject: (e: Error) => void;
}

export class CommandShell {
  private pending?: Pending;
  private closed = false;
  private closeWhenIdle = false;
  private readonly channel: ClientChannel;

  /** `lost` names the failure when the shell ends while a command runs (the command's outcome is unknown). */
  constructor(channel: ClientChannel, private readonly lost: () => Error) {
    this.channel = channel;
    channel.on('data', (b: Buffer) => this.onStdout(b));
    channel.stderr.on('data', (b: Buffer) => this.onStderr(b));
    channel.on('error', () => undefined); // the 'close' that follows fails the pending command
    channel.stderr.on('error', () => undefined);
    channel.on('close', () => {
      this.closed = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(this.lost());
    });
  }

  /** True while the shell can take a command now. */
  get idle(): boolean {
    return !this.closed && !this.closeWhenIdle && this.pending === undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Run one command, as root through `sudo -n` or not; only when idle. */
  run(spec: CommandSpec, sudo: Exclude<SudoMode, 'password'>): Promise<RawResult> {
    if (!this.idle) return Promise.reject(new Error('command shell is busy or closed'));
    const token = newToken();
    const request = shellRequest(spec, sudo, token); // first: a bad env name must not leave the shell busy
    const markers = shellMarkers(token);
    return new Promise<RawResult>((resolve, reject) => {
      this.pending = { out: new Collected(markers.status), err: new Collected(markers.end), resolve, reject };
      this.channel.write(request);
    });
  }

  /** End the shell once its command (if any) is done; takes no more commands. */
  retire(): void {
    this.closeWhenIdle = true;
    if (this.pending === undefined) void this.close();
  }

  /** End the shell (EOF on its stdin); resolves once the channel has closed. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.channel.once('close', () => resolve());
      this.channel.end();
    });
  }

  private onStdout(b: Buffer): void {
    const p = this.pending;
    if (!p || p.stdout) return; // output of a background child after its command ended: not ours
    p.out.push(b);
    const done = p.out.split(STATUS_DIGITS + 1);
    if (!done) return;
    p.code = parseStatus(done.after);
    p.stdout = done.output;
    this.settle(p);
  }

  private onStderr(b: Buffer): void {
    const p = this.pending;
    if (!p || p.stderr) return;
    p.err.push(b);
    const done = p.err.split(0);
    if (!done) return;
    p.stderr = done.output;
    this.settle(p);
  }

  private settle(p: Pending): void {
    if (p.stdout === undefined || p.stderr === undefined || p.code === undefined) return;
    this.pending = undefined;
    p.resolve({ code: p.code, stdout: p.stdout, stderr: p.stderr });
    if (this.closeWhenIdle) void this.close();
  }
}
