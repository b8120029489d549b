// shell: run a command line through a shell (pipes, redirections, variables are the point here).
// Always "changed" when it runs; creates/removes make it idempotent and check-mode capable.
import { ConfigError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { checkModeWhen } from './lib/check-mode';
import { checkOptions, guardProbe, hasGuard, runGuarded, type CommandOptions, type CommandResult } from './lib/run-command';

export interface ShellParams extends CommandOptions {
  /** The command line. Interpolate values with `sh` from engine/shell so they are quoted. */
  readonly cmd: string;
  /** Another shell, e.g. '/bin/bash' for bash syntax; default the connection's /bin/sh. */
  readonly executable?: string;
  /** Bytes for the command's stdin (the place for secrets: never in the command line). */
  readonly stdin?: string;
}

function check(p: ShellParams): void {
  if (!p.cmd.trim()) throw new ConfigError('shell: cmd is empty');
  if (p.executable !== undefined && !p.executable.startsWith('/')) throw new ConfigError(`shell: executable ${p.executable} must be an absolute path`);
  checkOptions(p, 'shell');
}

export const shell = checkModeWhen(
  defineModule<ShellParams, CommandResult, void, boolean>({
    name: 'shell',
    checkMode: true,
    describe: (p) => `shell ${p.cmd.split('\n')[0]}`,
    preflight: check,
    probe: (p) => guardProbe(p),
    async run(p, ctx, _checked, skip) {
      const line = p.executable ? sh`${p.executable} -c ${p.cmd}` : p.cmd;
      return runGuarded(ctx, p.cmd.split('\n')[0] ?? '', line, p, p.stdin, skip);
    },
  }),
  hasGuard,
);
