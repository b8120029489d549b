// command: run a program with an argument vector (every word quoted, no shell syntax).
// Always "changed" when it runs; creates/removes make it idempotent and check-mode capable.
import { ConfigError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { checkModeWhen } from './lib/check-mode';
import { checkOptions, guardProbe, hasGuard, runGuarded, type CommandOptions, type CommandResult } from './lib/run-command';

export type { CommandResult } from './lib/run-command';

export interface CommandParams extends CommandOptions {
  /** The program and its arguments, e.g. ['pcs', 'cluster', 'status']. */
  readonly argv: readonly string[];
  /** Bytes for the command's stdin (the place for secrets: never in argv). */
  readonly stdin?: string;
}

function check(p: CommandParams): void {
  if (!p.argv.length || !p.argv[0]) throw new ConfigError('command: argv is empty');
  checkOptions(p, `command ${p.argv[0]}`);
}

export const command = checkModeWhen(
  defineModule<CommandParams, CommandResult, void, boolean>({
    name: 'command',
    checkMode: true,
    describe: (p) => `command ${p.argv.join(' ')}`,
    preflight: check,
    probe: (p) => guardProbe(p),
    async run(p, ctx, _checked, skip) {
      return runGuarded(ctx, p.argv.join(' '), sh`${p.argv}`, p, p.stdin, skip);
    },
  }),
  hasGuard,
);
