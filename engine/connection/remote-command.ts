// The command string sent in an SSH exec request: env, cwd, sudo and the markers the client reads back.
// sshd runs it with the login user's shell; everything real runs under /bin/sh so that shell does not matter.
import { q, sh } from '../shell';

export interface RemoteCommandSpec {
  readonly command: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** How to become root: not at all, `sudo -n`, or `sudo -S` with the password fed on stdin. */
  readonly sudo: 'none' | 'nopasswd' | 'password';
  /** Random per call; marks the lines the client strips from stdout and the sudo prompt on stderr. */
  readonly token: string;
  /** Print the session's process group id first, so a timeout can kill the whole command tree. */
  readonly reportPid: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Line printed (with `$$`) before anything else when reportPid is set. */
export const pidMarker = (token: string): string => `${token}:pid:`;
/** Line printed once sudo has authenticated and the command starts: time to send the real stdin. */
export const readyMarker = (token: string): string => `${token}:ready\n`;
/** The sudo password prompt, unique per call so it can be found (and removed) in stderr. */
export const sudoPrompt = (token: string): string => `[sudo ${token}] `;

/** The script the target's /bin/sh runs: locale, exported env, working directory, then the command. */
export function innerScript(spec: Pick<RemoteCommandSpec, 'command' | 'env' | 'cwd'>): string {
  const assigns = Object.entries({ LC_ALL: 'C', ...spec.env }).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
    return `${k}=${q(v)}`;
  });
  const lines = [`export ${assigns.join(' ')}`];
  if (spec.cwd !== undefined) lines.push(sh`cd -- ${spec.cwd} || exit 1`);
  lines.push(spec.command);
  return lines.join('\n');
}

/** The full exec request string. */
export function remoteCommand(spec: RemoteCommandSpec): string {
  let script = innerScript(spec);
  let run: string;
  if (spec.sudo === 'password') {
    script = `echo ${q(readyMarker(spec.token).trimEnd())}\n${script}`;
    run = sh`sudo -S -p ${sudoPrompt(spec.token)} -- /bin/sh -c ${script}`;
  } else if (spec.sudo === 'nopasswd') {
    run = sh`sudo -n -- /bin/sh -c ${script}`;
  } else {
    run = sh`/bin/sh -c ${script}`;
  }
  // `exec` keeps the login shell's pid, which sshd made a session (and process group) leader.
  const pid = spec.reportPid ? `echo ${q(pidMarker(spec.token))}$$; ` : '';
  return `${pid}exec ${run}`;
}
