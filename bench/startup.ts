// Workload (d): the engine's start-up, `--help` and `--list-tasks` of a playbook file, with ts-node's
// type-checking off (-T) and on, each timed as a whole command.
import { REPO_ROOT } from '../lab/config';
import { timed, tailOf, type Cmd } from './child';
import { median } from './stats';

export interface StartupCase {
  readonly label: string;
  readonly typeCheck: boolean;
  /** A reference row (no target): the same start-up without npx. */
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
  readonly typeCheck: boolean;
  readonly reference: boolean;
}

/** Whether `ts-node --swc` can run here (@swc/core pinned in the project, or on NODE_PATH). */
export function haveSwc(): boolean {
  try {
    require.resolve('@swc/core', { paths: [REPO_ROOT, ...(process.env.NODE_PATH ?? '').split(':').filter(Boolean)] });
    return true;
  } catch {
    return false;
  }
}

export function startupCommands(playbookFile: string): StartupCmd[] {
  const cmds: StartupCmd[] = [];
  for (const typeCheck of [false, true]) {
    const ts = typeCheck ? ['npx', 'ts-node'] : ['npx', 'ts-node', '-T'];
    const t = { typeCheck, reference: false };
    cmds.push({ ...t, label: `${ts.join(' ')} ${playbookFile} --help`, argv: [...ts, playbookFile, '--help'] });
    cmds.push({
      ...t,
      label: `${ts.join(' ')} ${playbookFile} -i inventory/prod --list-tasks`,
      argv: [...ts, playbookFile, '-i', 'inventory/prod', '--list-tasks'],
      env: LISTING_ENV,
    });
  }
  // `ts-node --swc`: SWC transpiles instead of the TypeScript compiler (needs @swc/core).
  if (haveSwc()) {
    const t = { typeCheck: false, reference: false };
    const ts = ['npx', 'ts-node', '--swc'];
    cmds.push({ ...t, label: `${ts.join(' ')} ${playbookFile} --help`, argv: [...ts, playbookFile, '--help'] });
    cmds.push({
      ...t,
      label: `${ts.join(' ')} ${playbookFile} -i inventory/prod --list-tasks`,
      argv: [...ts, playbookFile, '-i', 'inventory/prod', '--list-tasks'],
      env: LISTING_ENV,
    });
  }
  // What npx and the ts-node launcher add: the same -T start-up through node directly.
  cmds.push({
    typeCheck: false,
    reference: true,
    label: `node -r ts-node/register/transpile-only ${playbookFile} --help`,
    argv: [process.execPath, '-r', 'ts-node/register/transpile-only', playbookFile, '--help'],
  });
  return cmds;
}

/** Each command `rounds` times, interleaved (one of each per round) so machine noise hits all alike. */
export async function measureStartup(playbookFile: string, rounds: number): Promise<StartupCase[]> {
  const cmds = startupCommands(playbookFile);
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
