// Workload (d): the engine's start-up, `--help` and `--list-tasks` of a playbook file, with the
// playbook's type-check off and on, each timed as a whole command.
import { timed, tailOf, type Cmd } from './child';
import { enginePlaybook, type TypeCheckMode } from './commands';
import { median } from './stats';

/** Which start-up target a row is held to: type-checking off (< 1 s) or on (< 2 s). */
export type StartupCheck = 'off' | 'on';

export interface StartupCase {
  readonly label: string;
  readonly typeCheck: StartupCheck;
  /** A reference row (no target). */
  readonly reference: boolean;
  /** Median wall time, or undefined when the command failed. */
  readonly ms?: number;
  readonly samples: number[];
  readonly error?: string;
}

/** `--list-tasks` needs an inventory but touches no host: the seed's prod inventory, its `!env` secrets stubbed. */
export const LISTING_ENV: Readonly<Record<string, string>> = {
  VPHA_HACLUSTER_PASSWORD: 'bench-listing-only',
  VPHA_REPLICATOR_PASSWORD: 'bench-listing-only',
  VPHA_VPROTECT_ADMIN_PASSWORD: 'bench-listing-only',
};

interface StartupCmd extends Cmd {
  readonly typeCheck: StartupCheck;
  readonly reference: boolean;
}

/**
 * `--help` (never type-checks: it runs nothing) and `--list-tasks` (type-checks like a run) in the three
 * type-check modes of commands.ts, and `node -r ts-node/register` without npx as a reference.
 */
export function startupCommands(playbookFile: string, editedFile?: string): StartupCmd[] {
  const listing = ['-i', 'inventory/prod', '--list-tasks'];
  const row = (check: StartupCheck, typeCheck: TypeCheckMode, args: readonly string[], env?: Record<string, string>): StartupCmd => ({
    ...enginePlaybook(playbookFile, args, args, { typeCheck, editedFile }),
    typeCheck: check,
    reference: false,
    ...(env ? { env } : {}),
  });
  return [
    row('off', 'checked', ['--help']),
    row('off', 'unchecked', listing, LISTING_ENV),
    row('on', 'checked', listing, LISTING_ENV),
    // Before `cold`, which then checks the restored sources from scratch: the next `checked` row finds them clean.
    ...(editedFile ? [row('on', 'edited', listing, LISTING_ENV)] : []),
    row('on', 'cold', listing, LISTING_ENV),
    // What npx and the ts-node launcher add.
    {
      typeCheck: 'off',
      reference: true,
      label: `node -r ts-node/register ${playbookFile} --help`,
      argv: [process.execPath, '-r', 'ts-node/register', playbookFile, '--help'],
    },
  ];
}

/** Each command `rounds` times, interleaved (one of each per round) so machine noise hits all alike. */
export async function measureStartup(playbookFile: string, rounds: number, editedFile?: string): Promise<StartupCase[]> {
  const cmds = startupCommands(playbookFile, editedFile);
  const samples = cmds.map(() => [] as number[]);
  const errors: (string | undefined)[] = cmds.map(() => undefined);
  for (let r = 0; r < rounds; r++) {
    for (const [i, cmd] of cmds.entries()) {
      if (errors[i]) continue;
      const t = await timed(cmd, 120_000);
      if (t.code !== 0) errors[i] = `exit ${t.code}: ${tailOf(t, 4).replace(/\s+/g, ' ').slice(0, 300)}`;
      else samples[i]!.push(t.ms);
    }
  }
  return cmds.map((cmd, i) => ({
    label: cmd.label,
    typeCheck: cmd.typeCheck,
    reference: cmd.reference,
    ms: errors[i] ? undefined : median(samples[i]!),
    samples: samples[i]!,
    error: errors[i],
  }));
}
