// `npx ts-node bench/recovery.ts [--rounds N] [--interval MS]` (`npm run bench:recovery -- ...`): recovery time
// of the vProtect HA cluster on the lab's storage tier (issue 11). Per round: a standby fail-over and its
// fail-back, a power cut of the active node with a writer of fsync'd records, and the cut node's resync and
// fail-back; each timed from the event to the API answering on the floating IP from the other node, phase by
// phase. A script, not a test: it brings the storage tier up when it is not (and down again at the end),
// deploys site.ts unless deployed, prints a markdown report on stdout and progress on stderr.
import { Command, InvalidArgumentError } from 'commander';
import { unregisterLabUser } from '../lab/users';
import { progress } from './child';
import { load1, machine } from './machine';
import { shouldTakeLabDown, takeLabDownSync } from '../spec/support/lab';
import { broughtUpByThisRun, clusterSettings, ensureDeployed, recover, releaseRecoveryLab, settle, storageLab, type RecoveryLab } from './recovery-lab';
import { recoveryReport, type ScenarioRun } from './recovery-report';
import { powerCutRound, standbyRound, stopWriters, type RoundOptions } from './recovery-scenarios';
import { settingText, type Settings } from './recovery-settings';

interface Options {
  readonly rounds: number;
  readonly interval: number;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The command line as the user typed it, for the report. */
function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return process.env.npm_lifecycle_event === 'bench:recovery'
    ? `npm run bench:recovery${args ? ` -- ${args}` : ''}`
    : `npx ts-node bench/recovery.ts${args ? ` ${args}` : ''}`;
}

async function main(o: Options): Promise<void> {
  const started = new Date();
  const loadStart = load1();
  const runs: ScenarioRun[] = [];
  const failures: string[] = [];
  let settings: Settings | undefined;
  const l: RecoveryLab = await storageLab();
  let lab: string;
  try {
    await ensureDeployed(l);
    await settle(l);
    settings = await clusterSettings(l);
    progress(`corosync totem token ${settingText(settings.token)}, consensus ${settingText(settings.consensus)}`);
    progress(`DRBD ping-int ${settingText(settings.drbd.pingInt)}, ping-timeout ${settingText(settings.drbd.pingTimeout)}`);
    const kinds = [
      ['standby', standbyRound],
      ['power cut', powerCutRound],
    ] as const;
    rounds: for (let round = 1; round <= o.rounds; round++) {
      const ro: RoundOptions = { round, everyMs: o.interval };
      for (const [name, run] of kinds) {
        try {
          await settle(l);
          runs.push(...(await run(l, ro)));
        } catch (e) {
          failures.push(`round ${round}, ${name}: ${message(e).split('\n')[0]}`);
          progress(`round ${round}, ${name} failed: ${message(e)}`);
          try {
            await recover(l);
          } catch (e2) {
            failures.push(`the cluster could not be recovered, rounds stopped: ${message(e2).split('\n')[0]}`);
            break rounds;
          }
        }
      }
    }
  } catch (e) {
    failures.push(message(e).split('\n')[0]!);
    progress(`failed: ${message(e)}`);
  } finally {
    stopWriters();
    lab = await releaseRecoveryLab(l);
    progress(`lab: ${lab}`);
  }
  process.stdout.write(
    recoveryReport({
      started,
      command: commandLine(),
      machine: machine(),
      load: { start: loadStart, end: load1() },
      preferred: l.preferred.name,
      ...(settings ? { settings } : {}),
      rounds: o.rounds,
      runs,
      failures,
      lab,
    }),
  );
  if (failures.length) process.exitCode = 1;
}

const program = new Command('bench:recovery')
  .description('Recovery time of the HA cluster on the lab storage tier: standby and power cut, phase by phase, and records lost (issue 11)')
  .option('--rounds <n>', 'rounds (each: standby and back, power cut and back)', positive, 3)
  .option('--interval <ms>', 'reading interval of every probe (crm_mon, DRBD/mount/unit, the API)', positive, 100)
  .action((o: Options) => main(o));

// Interrupted: the writer's ssh goes too and this run is no longer a lab user; a lab this run brought up is
// taken down (as at the end), one it found up is left as it is, possibly with a node in standby or cut.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopWriters();
    unregisterLabUser();
    if (broughtUpByThisRun() && shouldTakeLabDown()) {
      process.stderr.write(`bench: ${signal}: taking down the lab this run brought up\n`);
      takeLabDownSync();
    } else {
      process.stderr.write(`bench: ${signal}: lab left as it is (a node may be in standby or down: \`npm run lab -- status\`, \`pcs node unstandby --all\`)\n`);
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`bench: ${message(e)}\n`);
  process.exit(1);
});
