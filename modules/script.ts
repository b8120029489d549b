// script: run a controller-side script on the host by piping its text to the remote interpreter's
// stdin: nothing is copied or left behind on the host.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { checkModeWhen } from './lib/check-mode';
import { checkOptions, hasGuard, runGuarded, type CommandOptions, type CommandResult } from './lib/run-command';

export interface ScriptParams extends CommandOptions {
  /** The script on the controller (absolute, or relative to the working directory). */
  readonly src: string;
  /** Arguments for the script ($1, $2... / sys.argv[1:]). */
  readonly args?: readonly string[];
  /** The interpreter's argv, e.g. ['python3']; default the script's #! line, else /bin/sh. */
  readonly interpreter?: readonly string[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh']);

function load(p: ScriptParams): { text: string; argv: string[] } {
  checkOptions(p, `script ${p.src}`);
  const file = path.resolve(p.src);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`script ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const shebang = /^#!\s*(.+)/.exec(text.split('\n')[0] ?? '')?.[1]?.trim().split(/\s+/);
  const interp = p.interpreter?.length ? [...p.interpreter] : (shebang ?? ['/bin/sh']);
  // The program is the word after `env` when the #! line uses it.
  const program = path.posix.basename(interp[0]!.endsWith('/env') && interp[1] ? interp[1] : interp[0]!);
  // Shells read a script from stdin with -s (then the arguments); python, perl and ruby with '-'.
  const fromStdin = SHELLS.has(program) ? ['-s', '--'] : ['-'];
  return { text, argv: [...interp, ...fromStdin, ...(p.args ?? [])] };
}

export const script = checkModeWhen(
  defineModule<ScriptParams, CommandResult, { text: string; argv: string[] }>({
    name: 'script',
    checkMode: true,
    describe: (p) => `script ${p.src}${p.args?.length ? ' ' + p.args.join(' ') : ''}`,
    preflight: load,
    async run(p, ctx, { text, argv }) {
      return runGuarded(ctx, `${p.src} (${argv.join(' ')})`, sh`${argv}`, p, text);
    },
  }),
  hasGuard,
);
