// The common part of command, shell and script: creates/removes guards evaluated in the same round
// trip as the command, env exported and cwd entered by the shell (so it works the same over SSH).
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { ConfigError } from '../../engine/errors';
import { q, sh } from '../../engine/shell';
import { must, probe } from './exec';
import type { ModuleProbe } from './define';
import { absolutePath } from './params';
import { fileRead } from './remote-file';

export interface CommandOptions {
  /** Skip the command when this path exists (it is what the command creates). */
  readonly creates?: string;
  /** Skip the command when this path does not exist (it is what the command removes). */
  readonly removes?: string;
  /** Variables exported to the command. */
  readonly env?: Readonly<Record<string, string>>;
  /** Directory to run in. */
  readonly cwd?: string;
}

export interface CommandResult extends ModuleResult {
  /** False when creates/removes skipped the command, or under --check. */
  readonly ran: boolean;
  /** Exit code; absent when the command did not run. */
  readonly rc?: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Printed instead of running when a guard says skip; nothing a real command prints by chance. */
const SKIPPED = '__module_command_skipped_3f9c2e__';

export function checkOptions(o: CommandOptions, what: string): void {
  if (o.creates !== undefined) absolutePath(o.creates, `${what} creates`);
  if (o.removes !== undefined) absolutePath(o.removes, `${what} removes`);
  if (o.cwd !== undefined) absolutePath(o.cwd, `${what} cwd`);
  for (const k of Object.keys(o.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ConfigError(`${what}: env name ${JSON.stringify(k)} is not a valid variable name`);
  }
}

export const hasGuard = (o: CommandOptions): boolean => o.creates !== undefined || o.removes !== undefined;

/** A shell condition that is true when the command should be skipped. */
function skipCondition(o: CommandOptions): string | undefined {
  const parts: string[] = [];
  if (o.creates !== undefined) parts.push(sh`[ -e ${o.creates} ]`);
  if (o.removes !== undefined) parts.push(sh`[ ! -e ${o.removes} ]`);
  return parts.length ? parts.join(' || ') : undefined;
}

function why(o: CommandOptions): string {
  return o.creates !== undefined ? `${o.creates} exists` : `${o.removes} does not exist`;
}

const skipped = (o: CommandOptions): CommandResult => ({ changed: false, ran: false, stdout: '', stderr: '', msg: `skipped: ${why(o)}` });

/**
 * The guards as a probe (undefined without one: such a command always runs): whether they skip the command.
 * A command that runs may change anything, so every later probe of its batch is read again.
 */
export function guardProbe(o: CommandOptions): ModuleProbe<CommandResult, boolean> | undefined {
  const creates = o.creates === undefined ? undefined : fileRead({ path: o.creates, depth: 'meta' });
  const removes = o.removes === undefined ? undefined : fileRead({ path: o.removes, depth: 'meta' });
  if (!creates && !removes) return undefined;
  return {
    reads: [creates, removes].filter((r) => r !== undefined),
    // `[ -e PATH ]` as the command's own guard tests it: a dangling symlink does not exist.
    state: (answers) => (creates !== undefined && answers.get(creates).kind !== 'absent') || (removes !== undefined && answers.get(removes).kind === 'absent'),
    settled: (skip) => (skip ? skipped(o) : undefined),
  };
}

/**
 * Run `command` (a shell command line) with the options. Under --check only the guards are
 * evaluated (callers let the runner skip guard-less commands under --check); `probedSkip` is their answer
 * when guardProbe read it already.
 */
export async function runGuarded(
  ctx: ModuleContext,
  label: string,
  command: string,
  o: CommandOptions,
  stdin?: string | Buffer,
  probedSkip?: boolean,
): Promise<CommandResult> {
  const skip = skipCondition(o);
  if (ctx.check) {
    const wouldSkip = probedSkip ?? (skip !== undefined && (await probe(ctx, skip)).code === 0);
    return wouldSkip ? skipped(o) : { changed: true, ran: false, stdout: '', stderr: '', msg: `would run: ${label}` };
  }
  const lines: string[] = [];
  if (skip !== undefined) lines.push(`if ${skip}; then echo ${SKIPPED}; exit 0; fi`);
  for (const [k, v] of Object.entries(o.env ?? {})) lines.push(`export ${k}=${q(v)}`);
  if (o.cwd !== undefined) lines.push(sh`cd ${o.cwd} || exit 1`);
  lines.push(command);
  const r = await must(ctx, lines.join('\n'), stdin === undefined ? {} : { stdin });
  if (skip !== undefined && r.stdout === `${SKIPPED}\n`) return skipped(o);
  return { changed: true, ran: true, rc: r.code, stdout: r.stdout, stderr: r.stderr };
}
