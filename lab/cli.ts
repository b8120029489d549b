// `npm run lab -- <cmd>`: the local lab cluster (see ../shared/LAB.md and lab/config.ts).
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOSTS, MAX_HOSTS, MAX_LIGHT_HOSTS } from './config';
import { buildImages, crash, down, heal, partition, start, status, up, upLight, type HostStatus } from './lab';
import { LAB_TIERS, parseTier, TIER_ENV, type LabTier } from './tiers';

function count(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a number 1..${max}`);
    return n;
  };
}

function formatStatus(rows: readonly HostStatus[]): string {
  if (rows.length === 0) return 'the lab is down';
  const cells = rows.map((r) => [
    r.name,
    r.ip,
    r.tier ?? r.kind,
    r.pid ? `pid ${r.pid}` : '-',
    r.state === 'running' ? 'running' : r.exit !== undefined ? `down (last exit ${r.exit})` : 'down',
    r.sshd ? 'sshd answers' : 'sshd silent',
  ]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const program = new Command('lab').description(
  'The local vProtect HA lab on bridge labbr0 (198.18.0.0/24, 198.18.1.0/24): systemd-nspawn hosts (tier nspawn) or User-Mode Linux hosts with real DRBD (tier storage)',
);

function tier(value: string): LabTier {
  try {
    return parseTier(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

program
  .command('up')
  .description(`boot N full hosts (default ${DEFAULT_HOSTS}: vprotect1, vprotect2), or with --light N sshd-only hosts`)
  .argument('[N]', `number of full hosts (1..${MAX_HOSTS})`, count(MAX_HOSTS))
  .option('--light <N>', `start N light hosts light1..N instead (1..${MAX_LIGHT_HOSTS})`, count(MAX_LIGHT_HOSTS))
  .option('--tier <TIER>', `${LAB_TIERS.join(' or ')} (default: $${TIER_ENV}, else the tier the lab has); another tier replaces the hosts`, tier)
  .action(async (n: number | undefined, opts: { light?: number; tier?: LabTier }) => {
    if (opts.light !== undefined) {
      if (n !== undefined || opts.tier !== undefined) throw new InvalidArgumentError('give either N [--tier T] or --light N');
      await upLight(opts.light);
    } else {
      await up(n ?? DEFAULT_HOSTS, opts.tier);
    }
    console.log(formatStatus(await status()));
  });

program
  .command('image')
  .description('build (or find in the cache) the images a tier boots from; starts nothing')
  .option('--tier <TIER>', LAB_TIERS.join(' or '), tier, 'nspawn' as LabTier)
  .action(async (opts: { tier: LabTier }) => {
    await buildImages(opts.tier);
  });

program
  .command('down')
  .description('stop every lab host (recorded PIDs only), unmount, remove their disks and the bridge')
  .action(async () => {
    await down();
  });

program
  .command('status')
  .description('each host: IP, PID, running or not, sshd answering or not')
  .action(async () => {
    console.log(formatStatus(await status()));
  });

program
  .command('crash')
  .description("power cut: SIGKILL a host's PID 1 (nspawn) or its whole kernel (storage tier); it stays down until `start NAME` or `up`")
  .argument('<NAME>')
  .action(async (name: string) => {
    await crash(name);
  });

program
  .command('start')
  .description('boot a crashed or powered-off host again, on the disk it had')
  .argument('<NAME>')
  .action(async (name: string) => {
    await start(name);
  });

program
  .command('partition')
  .description('cut the link between the lab hosts (their bridge ports isolated); the controller still reaches each')
  .action(async () => {
    await partition();
  });

program
  .command('heal')
  .description('restore the link `partition` cut')
  .action(async () => {
    await heal();
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
