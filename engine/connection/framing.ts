// The wire format of a command, all of it: the script the host's /bin/sh runs (locale, env, cwd), the sudo
// wrapping (none, `sudo -n`, or `sudo -S` with a per-call prompt and a ready line), the exec request and the
// command-shell request built from them, and the marker lines the client reads back (pid, ready, exit status,
// end of stderr) with their parsers, and the sections of a probe round (several read-only scripts in one
// command, each one's output and exit status framed). channel-run.ts and command-shell.ts only move bytes;
// local.ts runs the same script and wrapping through child_process.
import { randomBytes } from 'node:crypto';
import { q, sh } from '../shell';

/** How a command becomes root: not at all, `sudo -n`, or `sudo -S` with the password fed on stdin. */
export type SudoMode = 'none' | 'nopasswd' | 'password';

/** The command and what it runs with. */
export interface CommandSpec {
  readonly command: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Whom sudo runs it as (become_user); root when absent. */
  readonly becomeUser?: string;
}

export interface ExecRequestSpec extends CommandSpec {
  readonly sudo: SudoMode;
  /** Random per call (newToken): marks the lines the client strips from stdout and the sudo prompt on stderr. */
  readonly token: string;
  /** Print the session's process group id first, so a timeout can kill the whole command tree. */
  readonly reportPid: boolean;
}

/** A fresh per-call token: it makes the marker lines and the sudo prompt of one command unique. */
export function newToken(): string {
  return randomBytes(8).toString('hex');
}

/** No sudo without become or when the login user is already the become user; `sudo -S` with a become password. */
export function sudoMode(become: boolean | undefined, loginIsBecomeUser: boolean, becomePassword: string | undefined): SudoMode {
  if (become !== true || loginIsBecomeUser) return 'none';
  return becomePassword !== undefined ? 'password' : 'nopasswd';
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Line printed (with `$$`) before anything else when reportPid is set. */
export const pidMarker = (token: string): string => `${token}:pid:`;
/** Line printed once sudo has authenticated and the command starts: time to send the real stdin. */
export const readyMarker = (token: string): string => `${token}:ready\n`;
/** The sudo password prompt, unique per call so it can be found (and removed) in stderr. */
export const sudoPrompt = (token: string): string => `[sudo ${token}] `;

/** The script the target's /bin/sh runs: locale, exported env, working directory, then the command. */
export function innerScript(spec: CommandSpec): string {
  const assigns = Object.entries({ LC_ALL: 'C', ...spec.env }).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
    return `${k}=${q(v)}`;
  });
  const lines = [`export ${assigns.join(' ')}`];
  if (spec.cwd !== undefined) lines.push(sh`cd -- ${spec.cwd} || exit 1`);
  lines.push(spec.command);
  return lines.join('\n');
}

/**
 * The argv that runs `script` in its own /bin/sh, as root when `sudo` says so (`token` names the prompt of
 * `sudo -S`, whose script first prints the ready line). A /bin/sh of its own, not a subshell, so `$$`, `exit`
 * and signals mean what they mean on an exec channel.
 */
export function shellArgv(script: string, sudo: SudoMode, token = '', becomeUser?: string): string[] {
  const as = becomeUser === undefined || becomeUser === 'root' ? [] : ['-u', becomeUser];
  switch (sudo) {
    case 'none':
      return ['/bin/sh', '-c', script];
    case 'nopasswd':
      return ['sudo', '-n', ...as, '--', '/bin/sh', '-c', script];
    case 'password':
      return ['sudo', '-S', '-p', sudoPrompt(token), ...as, '--', '/bin/sh', '-c', `echo ${q(readyMarker(token).trimEnd())}\n${script}`];
  }
}

/** The full exec request string; sshd runs it with the login user's shell, everything real runs under /bin/sh. */
export function execRequest(spec: ExecRequestSpec): string {
  // `exec` keeps the login shell's pid, which sshd made a session (and process group) leader.
  const pid = spec.reportPid ? `echo ${q(pidMarker(spec.token))}$$; ` : '';
  return `${pid}exec ${sh`${shellArgv(innerScript(spec), spec.sudo, spec.token, spec.becomeUser)}`}`;
}

/** Kill a timed-out command's whole process group; dash's kill takes no `--`, `kill -KILL -N` works in dash and bash. */
export function killGroupCommand(pgid: number): string {
  return sh`kill -KILL -${pgid} 2>/dev/null || kill -KILL ${pgid}`;
}

// ---- reading an exec channel back ----

/** The process group id from the pid line, once it arrived in `stdout` (latin1 text). */
export function findPid(stdout: string, token: string): number | undefined {
  const m = pidLine(token).exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** Whether the ready line arrived: sudo authenticated, the command's stdin may be sent. */
export function isReady(stdout: string, token: string): boolean {
  return stdout.includes(readyMarker(token));
}

/** How many times sudo prompted in `stderr` (latin1 text): a second prompt means a wrong password. */
export function promptCount(stderr: string, token: string): number {
  return stderr.split(sudoPrompt(token)).length - 1;
}

/** The command's stdout without the ready and pid lines. */
export function cleanStdout(stdout: Buffer, token: string): Buffer {
  let text = stdout.toString('latin1');
  const ready = readyMarker(token);
  const at = text.indexOf(ready);
  if (at >= 0) text = text.slice(0, at) + text.slice(at + ready.length);
  return Buffer.from(text.replace(pidLine(token), ''), 'latin1');
}

/** The command's stderr without sudo's prompts. */
export function cleanStderr(stderr: Buffer, token: string): Buffer {
  return Buffer.from(stderr.toString('latin1').split(sudoPrompt(token)).join(''), 'latin1');
}

const pidLine = (token: string): RegExp => new RegExp(`${pidMarker(token)}(\\d+)\\n`);

// ---- the command shell ----

/** The exec request that starts the long-lived command shell; sshd runs it with the login user's shell. */
export const SHELL_COMMAND = 'exec /bin/sh';

/** The exit status follows the status marker as three digits (0-255), then a newline. */
export const STATUS_DIGITS = 3;

/** The line for the command shell: one command (a shellArgv line) with stdin from /dev/null, then its markers. */
export function shellRequest(spec: CommandSpec, sudo: Exclude<SudoMode, 'password'>, token: string): string {
  const run = sh`${shellArgv(innerScript(spec), sudo, '', spec.becomeUser)}`;
  const status = `${token}:rc:`;
  const end = `${token}:end`;
  return `${run} </dev/null; printf '\\n%s%03d\\n' ${q(status)} "$?"; printf '\\n%s\\n' ${q(end)} >&2\n`;
}

/** The bytes that end a command's output in the shell: on stdout before its status, on stderr at its end. */
export function shellMarkers(token: string): { readonly status: Buffer; readonly end: Buffer } {
  return { status: Buffer.from(`\n${token}:rc:`, 'latin1'), end: Buffer.from(`\n${token}:end\n`, 'latin1') };
}

/** The exit status from the STATUS_DIGITS bytes after the status marker. */
export function parseStatus(digits: Buffer): number {
  return Number(digits.toString('latin1'));
}

// ---- a probe round: several read-only scripts in one command ----

// Plain words (a hex token, digits, underscores): echo and printf print them as they are, unquoted.
const sectionStart = (token: string, i: number): string => `${token}_sec_${i}`;
const sectionEnd = (token: string, i: number): string => `${token}_rc_${i}_`;

/**
 * One command running `parts` one after the other, each in its own subshell (its `exit`, `cd` and `set --`
 * stay there) with stdin from /dev/null, its stdout between a start line and a line carrying its exit status.
 * The command itself exits 0; parseSections splits its stdout back. Stderr is shared.
 */
export function sectionsScript(parts: readonly string[], token: string): string {
  return parts
    .map((part, i) => `echo ${sectionStart(token, i)}\n(\n${part}\n) </dev/null\nprintf '\\n%s%03d\\n' ${sectionEnd(token, i)} "$?"`)
    .join('\n');
}

/** Each part's exit status and stdout from a sectionsScript command's stdout; undefined for a part that did not finish. */
export function parseSections(stdout: string, token: string, count: number): ({ readonly code: number; readonly stdout: string } | undefined)[] {
  return Array.from({ length: count }, (_, i) => {
    const start = `${sectionStart(token, i)}\n`;
    const end = `\n${sectionEnd(token, i)}`;
    const from = stdout.indexOf(start);
    const to = from < 0 ? -1 : stdout.indexOf(end, from + start.length);
    if (to < 0) return undefined;
    const digits = stdout.slice(to + end.length, to + end.length + STATUS_DIGITS);
    if (!/^\d{3}$/.test(digits)) return undefined;
    return { code: Number(digits), stdout: stdout.slice(from + start.length, to) };
  });
}

/** For fake hosts in specs: the token and parts of a sectionsScript command, or undefined for any other command. */
export function splitSectionsScript(command: string): { readonly token: string; readonly parts: string[] } | undefined {
  const first = /^echo ([0-9a-f]+)_sec_0\n\(\n/.exec(command);
  if (!first) return undefined;
  const token = first[1]!;
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; ; i++) {
    const head = `echo ${sectionStart(token, i)}\n(\n`;
    if (!command.startsWith(head, at)) break;
    const tail = `\n) </dev/null\nprintf '\\n%s%03d\\n' ${sectionEnd(token, i)} "$?"`;
    const stop = command.indexOf(tail, at + head.length - 1);
    if (stop < 0) return undefined;
    parts.push(command.slice(at + head.length, stop));
    at = stop + tail.length + 1;
  }
  return { token, parts };
}

/** For fake hosts in specs: the stdout a sectionsScript command prints for these parts' results. */
export function renderSections(token: string, results: readonly { readonly code: number; readonly stdout: string }[]): string {
  return results.map((r, i) => `${sectionStart(token, i)}\n${r.stdout}\n${sectionEnd(token, i)}${String(r.code).padStart(STATUS_DIGITS, '0')}\n`).join('');
}
