// The contracts every part of the engine shares: connections, facts, modules, results.
// Kept free of imports so any file (module, role, spec) can depend on it cheaply.

/** A host name known to the inventory. Only the inventory creates these (see inventory.resolve). */
export type HostName = string & { readonly __brand: 'HostName' };

export interface ExecOptions {
  /** Bytes fed to the command's stdin; the place for secrets (never argv). */
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Run as root (sudo) when the login user is not root. */
  readonly become?: boolean;
  readonly cwd?: string;
  /** Kill the command after this many milliseconds (ExecResult.code 124, like timeout(1)). */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PutOptions {
  /** e.g. 0o644; left as the existing file's (or umask) when absent. */
  readonly mode?: number;
  readonly owner?: string;
  readonly group?: string;
  readonly become?: boolean;
}

/**
 * A way to run commands and move files on one host. Commands are /bin/sh command strings:
 * build them with `sh` from engine/shell so every interpolated value is quoted.
 */
export interface Connection {
  readonly host: HostName;
  /** True when the login user is the become user, so `become` runs a command as it is (no sudo). */
  readonly loginIsBecomeUser?: boolean;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic: written to a temp file in the same directory, then renamed over the target. */
  put(path: string, content: string | Buffer, opts?: PutOptions): Promise<void>;
  /** The file's bytes, or undefined when it does not exist. */
  get(path: string, opts?: { readonly become?: boolean }): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export type OsFamily = 'RedHat' | 'Debian' | 'Other';
export type PackageManager = 'dnf' | 'yum' | 'apt' | 'unknown';

export interface Facts {
  /** `uname -n`: the name pacemaker, corosync and DRBD know this host by. */
  readonly hostname: string;
  readonly os: {
    readonly id: string; // /etc/os-release ID: rhel, centos, rocky, almalinux, debian, ubuntu
    readonly versionId: string; // e.g. "8.9", "12"
    readonly major: number;
    readonly family: OsFamily;
  };
  readonly pkgMgr: PackageManager;
  readonly initSystem: 'systemd' | 'other';
  /** Global-scope IPv4 addresses, primary (non-secondary) ones first. */
  readonly ipv4: readonly string[];
  /** The login user (`id -un`). */
  readonly user: string;
}

export interface FileDiff {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** What every module returns; modules add their own typed fields. */
export interface ModuleResult {
  readonly changed: boolean;
  /** One line for the operator, e.g. "would create user replicator". */
  readonly msg?: string;
  /** Before/after pairs shown with --diff. */
  readonly diffs?: readonly FileDiff[];
}

export interface ModuleContext {
  readonly host: HostName;
  readonly conn: Connection;
  readonly facts: Facts;
  readonly check: boolean;
  readonly diff: boolean;
  readonly become: boolean;
  /** The task's timeout: commands run longer than this are killed (exit 124). */
  readonly timeoutMs?: number;
  /** Per-host memo for the run (e.g. the detected pcs dialect). */
  readonly hostCache: Map<string, unknown>;
  /** Another host's connection, for cross-host copies; the name is checked against the inventory. */
  connectionTo(host: HostName): Connection;
  /**
   * The context for reaching `host` from this task, for cross-host modules: this one for its own host, else that
   * host's connection with this task's flags (engine/runner/context-on.ts).
   */
  on(host: HostName): ModuleContext;
  /** Verbose output (-v); already redacted of secrets by the runner. */
  log(line: string): void;
  /** Mark a value as secret: it is redacted from every output from now on. */
  secret(value: string): void;
}

/** A module bound to its parameters, ready to run on a host. Created by a module's factory. */
export interface Action<R extends ModuleResult = ModuleResult> {
  readonly module: string;
  /** False when the module cannot predict its effect: it is then skipped under --check. */
  readonly checkMode: boolean;
  /** A short human description of the call, for -v and --list-tasks (secrets redacted later). */
  readonly describe: string;
  /** Checks that need no host (e.g. a template renders with the variables given). Throws ConfigError. */
  preflight?(): void;
  run(ctx: ModuleContext): Promise<R>;
  /**
   * The read-only state this call decides on, when its module declares a probe (modules/lib/define.ts): the runner
   * reads the probes of consecutive tasks in one command per host and runs only the calls whose state differs.
   * Undefined when this call has no probe (a command without creates/removes). Throws what preflight throws.
   */
  probe?(flags: ProbeFlags): ActionProbe<R> | undefined;
}

/** The run's flags a probe's reads depend on (copy reads the old content only for --diff). */
export interface ProbeFlags {
  readonly check: boolean;
  readonly diff: boolean;
}

/**
 * A kind of read-only question about a host (files' state, a shell fragment's output). The runner asks all of a
 * probe round's questions of one kind through the scripts it gives, each run in its own section of the round's
 * one command (engine/connection/framing.ts frames them).
 */
export interface ProbeKind<Q, A> {
  /** Names the kind in messages and -v output. */
  readonly name: string;
  /** Equal keys ask the same question: asked once per round (five lineinfile tasks on one file read it once). */
  key(request: Q): string;
  /** Read-only POSIX sh scripts answering every request given (each key once); stdin is /dev/null. */
  scripts(requests: readonly Q[]): readonly string[];
  /** Each request's answer from the outputs of those scripts (undefined: it did not finish), in order; undefined where it cannot tell. */
  answers(outputs: readonly (ProbeOutput | undefined)[], requests: readonly Q[]): readonly (ProbeAnswer<A> | undefined)[];
}

/** What one section of a probe round printed, and its exit status. */
export interface ProbeOutput {
  readonly code: number;
  readonly stdout: string;
}

export interface ProbeAnswer<A> {
  readonly value: A;
  /** Absolute paths the answer reflects, as asked and as resolved (symlinks): a task changing one makes it stale. */
  readonly paths: readonly string[];
}

/** One question of a probe: its kind and the request. */
export interface ProbeRead<Q = unknown, A = unknown> {
  readonly kind: ProbeKind<Q, A>;
  readonly request: Q;
}

/** What an Action's probe reads, and what the answers mean for it. */
export interface ActionProbe<R extends ModuleResult = ModuleResult> {
  readonly reads: readonly ProbeRead[];
  /**
   * At the task's turn, from the answers (answers.get(read) for each of `reads`): the result when the state needs
   * nothing done (what run() would return), else the apply step, which gets the state read so it does not read
   * it again. Throws when the answers cannot be used: run() then reads the state itself and reports any error.
   */
  decide(answers: ProbeAnswers, ctx: ModuleContext): ProbeDecision<R>;
  /** Absolute paths the apply step may change, besides those its reads resolved to; undefined: anything. */
  readonly writes?: readonly string[];
}

export interface ProbeAnswers {
  /** The answer to one of the probe's reads; throws when the round could not answer it. */
  get<A>(read: ProbeRead<unknown, A>): A;
}

export type ProbeDecision<R extends ModuleResult> =
  | { readonly settled: R }
  | { readonly apply: (ctx: ModuleContext) => Promise<R> };

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';
