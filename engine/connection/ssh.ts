// A host over SSH: one ssh2 connection for the whole run, opened on first use. Commands go to one long-lived
// shell (command-shell.ts) when it is free and the command needs no stdin, timeout or sudo password;
// otherwise each gets its own exec channel (several at once, queued when sshd's MaxSessions is reached).
// Files go over one lazily opened SFTP session. What goes over the wire for a command is framing.ts's.
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Connection, ExecOptions, ExecResult, HostName, PutOptions } from '../types';
import { UnreachableError } from '../errors';
import { AuthPlan } from './ssh-auth';
import { ChannelGate } from './channel-gate';
import { runOnChannel, type RawResult } from './channel-run';
import { execRequest, killGroupCommand, newToken, SHELL_COMMAND, sudoMode } from './framing';
import { CommandShell } from './command-shell';
import { getFile, putFile, type FileTransport } from './ssh-files';
import { hostKeyProblem, openClient } from './ssh-client';
import type { SshSettings } from './ssh-settings';

interface Live {
  readonly client: Client;
  /** Rejects with UnreachableError when the connection ends; every operation races it. */
  readonly lost: Promise<never>;
}

interface RunOptions extends ExecOptions {
  readonly stdin?: string | Buffer;
}

/**
 * Round trips (commands, internal ones included), sessions sshd set up for them (exec channels, the
 * command shell included) and SSH handshakes (TCP connections) so far.
 */
export interface ConnectionStats {
  readonly execs: number;
  readonly sessions: number;
  readonly handshakes: number;
}

/** Retries (10 ms, 20 ms, ...) of a channel open refused while no other channel is open. */
const LATE_CLOSE_RETRIES = 8;

/** Upper bound for the best-effort kill after a timeout. */
const KILL_WAIT_MS = 5000;

export class SshConnection implements Connection {
  readonly host: HostName;
  private readonly counters = { execs: 0, sessions: 0, handshakes: 0 };
  private readonly gate = new ChannelGate();
  private live?: Promise<Live>;
  private sftpSession?: Promise<SFTPWrapper>;
  /** The long-lived command shell, opened on first use (undefined inside when it could not be); reset when it ends. */
  private shell?: Promise<CommandShell | undefined>;
  /** The same shell once open: the session-limit path reads it without waiting on an opening that may be its own. */
  private openShell?: CommandShell;
  /** Set when sshd's session limit needs the shell's slot: commands then use exec channels only. */
  private shellOff = false;
  /** Set once the connection failed, dropped or was closed: every later call rejects with it. */
  private failure?: UnreachableError;
  private client?: Client;

  /** A #private field: it holds passwords, which must not show when a connection object is logged. */
  readonly #settings: SshSettings;

  constructor(settings: SshSettings) {
    this.host = settings.host;
    this.#settings = settings;
  }

  get loginIsBecomeUser(): boolean {
    return this.#settings.user === this.#settings.becomeUser;
  }

  get stats(): ConnectionStats {
    return { ...this.counters };
  }

  /** `user@address:port`, the way messages name this endpoint. */
  get endpoint(): string {
    const s = this.#settings;
    return `${s.user}@${s.address}:${s.port}`;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, opts);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const live = await this.connection();
    return Promise.race([live.lost, putFile(this.files(live), path, content, opts)]);
  }

  async get(path: string, opts: { readonly become?: boolean } = {}): Promise<Buffer | undefined> {
    const live = await this.connection();
    return Promise.race([live.lost, getFile(this.files(live), path, opts)]);
  }

  async close(): Promise<void> {
    this.failure ??= new UnreachableError(this.host, `connection to ${this.endpoint} was closed by the engine`);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        client.destroy();
        resolve();
      }, 2000);
      client.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      client.end();
    });
  }

  private connection(): Promise<Live> {
    if (this.failure) return Promise.reject(this.failure);
    this.live ??= this.connect();
    return this.live;
  }

  private async connect(): Promise<Live> {
    this.counters.handshakes += 1;
    let loseConnection!: (e: UnreachableError) => void;
    const lost = new Promise<never>((_, reject) => (loseConnection = reject));
    lost.catch(() => undefined); // only ever observed through Promise.race
    const auth = new AuthPlan(this.#settings);
    try {
      const client = await openClient(this.#settings, auth, (why) => {
        this.failure ??= new UnreachableError(this.host, `connection to ${this.endpoint} lost: ${why}`);
        this.sftpSession = undefined;
        loseConnection(this.failure);
      });
      this.client = client;
      if (this.failure) client.end(); // closed while connecting
      return { client, lost };
    } catch (e) {
      this.failure ??= new UnreachableError(this.host, hostKeyProblem(e) ?? this.connectFailure(e, auth));
      throw this.failure;
    }
  }

  private connectFailure(e: unknown, auth: AuthPlan): string {
    const s = this.#settings;
    const err = e as Error & { level?: string; code?: string };
    if (err.level === 'client-authentication') return `authentication failed for ${this.endpoint}: ${auth.describe()}`;
    switch (err.code) {
      case 'ECONNREFUSED':
        return `connection refused by ${s.address}:${s.port} (is sshd running and listening on that port?)`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot resolve host name ${s.address} (${err.code}); set ansible_host to its address`;
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
        return `${s.address}:${s.port} is unreachable (${err.code})`;
    }
    if (err.level === 'client-timeout') {
      return `no SSH handshake with ${this.endpoint} within ${s.connectTimeoutMs} ms (host down or port filtered?)`;
    }
    return `cannot connect to ${this.endpoint}: ${err.message ?? String(e)}`;
  }

  private files(live: Live): FileTransport {
    return {
      host: this.host,
      rootLogin: this.loginIsBecomeUser,
      sftp: () => this.sftp(live.client),
      run: (command, opts) => this.runOn(live.client, command, opts),
    };
  }

  private async run(command: string, opts: RunOptions): Promise<RawResult> {
    const live = await this.connection();
    return Promise.race([live.lost, this.runOn(live.client, command, opts)]);
  }

  private async runOn(client: Client, command: string, opts: RunOptions): Promise<RawResult> {
    const s = this.#settings;
    const sudo = sudoMode(opts.become, this.loginIsBecomeUser, s.becomePassword);
    const spec = { command, env: opts.env, cwd: opts.cwd, becomeUser: s.becomeUser };
    const plain = (opts.stdin === undefined || opts.stdin.length === 0) && opts.timeoutMs === undefined;
    if (plain && sudo !== 'password' && !this.shellOff) {
      const shell = await this.commandShell(client);
      if (shell?.idle && !this.shellOff) {
        this.counters.execs += 1;
        return shell.run(spec, sudo);
      }
    }
    const token = newToken();
    const full = execRequest({ ...spec, sudo, token, reportPid: opts.timeoutMs !== undefined });
    const ch = await this.openChannel<ClientChannel>(client, (cb) => client.exec(full, cb));
    this.counters.execs += 1;
    return runOnChannel(ch, {
      token,
      stdin: opts.stdin,
      sudoPassword: sudo === 'password' ? s.becomePassword : undefined,
      timeoutMs: opts.timeoutMs,
      pidWaitMs: KILL_WAIT_MS,
      kill: (pgid) => this.killGroup(client, pgid, opts.become === true),
      lost: () => this.failure ?? new UnreachableError(this.host, `connection to ${this.endpoint} lost: a channel closed without an exit status`),
    });
  }

  /** The command shell, opened once; reopened after it ended while the connection stays up. */
  private commandShell(client: Client): Promise<CommandShell | undefined> {
    if (this.shell) return this.shell;
    const opening = this.openChannel<ClientChannel>(client, (cb) => client.exec(SHELL_COMMAND, cb)).then(
      (ch) => {
        const shell = new CommandShell(
          ch,
          () =>
            this.failure ??
            new UnreachableError(this.host, `the command shell on ${this.endpoint} ended while a command ran (killed on the host?); the command's outcome is unknown`),
        );
        this.openShell = shell;
        if (this.shellOff) shell.retire(); // the session limit was hit while it opened
        ch.once('close', () => {
          if (this.shell === opening) this.shell = undefined;
          if (this.openShell === shell) this.openShell = undefined;
        });
        return shell;
      },
      () => {
        this.shellOff = true; // exec channels still work, or fail with their own message
        return undefined;
      },
    );
    this.shell = opening;
    return opening;
  }

  /** sshd refused a channel: give the shell's session slot back (now, or once its command ends). */
  private async yieldShellSlot(): Promise<boolean> {
    const shell = this.openShell;
    if (this.shellOff) return false;
    this.shellOff = true;
    if (!shell || shell.isClosed) return false; // not open (the refused open may be the shell's own)
    if (!shell.idle) {
      shell.retire(); // its slot frees when its command ends: the refused open waits for that
      return false;
    }
    await shell.close();
    return true;
  }

  /** After a timeout: kill the command's whole process group (sshd made its shell a session leader). */
  private async killGroup(client: Client, pgid: number | undefined, become: boolean): Promise<void> {
    if (pgid === undefined) return;
    const kill = this.runOn(client, killGroupCommand(pgid), { become });
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, KILL_WAIT_MS)));
    await Promise.race([kill.then(() => undefined, () => undefined), cap]);
    clearTimeout(timer);
  }

  private sftp(client: Client): Promise<SFTPWrapper> {
    if (this.sftpSession) return this.sftpSession;
    const session = this.openChannel<SFTPWrapper>(client, (cb) => client.sftp(cb)).then(
      (sftp) => {
        sftp.on('error', () => undefined); // failures reach the pending calls; the session is reopened
        sftp.once('close', () => {
          if (this.sftpSession === session) this.sftpSession = undefined;
        });
        return sftp;
      },
      (e: unknown) => {
        if (this.sftpSession === session) this.sftpSession = undefined;
        throw e;
      },
    );
    this.sftpSession = session;
    return session;
  }

  /** Open a channel within sshd's session limit; a refused open waits for another channel to close. */
  private async openChannel<C extends ClientChannel | SFTPWrapper>(
    client: Client,
    open: (cb: (err: Error | undefined, channel: C) => void) => void,
  ): Promise<C> {
    let lateRetries = 0;
    for (;;) {
      await this.gate.acquire();
      try {
        const ch = await new Promise<C>((resolve, reject) => {
          try {
            open((err, channel) => (err ? reject(err) : resolve(channel)));
          } catch (e) {
            reject(e); // ssh2 throws "Not connected" synchronously
          }
        });
        this.counters.sessions += 1;
        ch.once('close', () => this.gate.release());
        return ch;
      } catch (e) {
        const refusal = (e as { reason?: unknown }).reason !== undefined;
        if (refusal && (await this.yieldShellSlot())) {
          this.gate.release(); // retry: the shell's slot is free now
          continue;
        }
        if (refusal && this.gate.refused()) continue;
        // Refused with nothing else open: sshd may still count a session that closed a moment ago.
        if (refusal && lateRetries < LATE_CLOSE_RETRIES) {
          lateRetries += 1;
          await new Promise((wake) => setTimeout(wake, 10 * lateRetries));
          continue;
        }
        if (!refusal) this.gate.release();
        if (this.failure) throw this.failure;
        throw new UnreachableError(this.host, `cannot open a channel on ${this.endpoint}: ${(e as Error).message}`);
      }
    }
  }
}
