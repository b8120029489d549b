// `npm run lab -- <cmd>`: the local lab cluster (see ../shared/LAB.md and lab/config.ts).
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOSTS, MAX_HOSTS, MAX_LIGHT_HOSTS } from './config';
import { crash, down, start, status, up, upLight, type HostStatus } from './lab';

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
    r.pid ? `pid ${r.pid}` : '-',
    r.state === 'running' ? 'running' : r.exit !== undefined ? `down (last exit ${r.exit})` : 'down',
    r.sshd ? 'sshd answers' : 'sshd silent',
  ]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const program = new Command('lab').description('The local vProtect HA lab: systemd-nspawn hosts on bridge labbr0 (198.18.0.0/24, 198.18.1.0/24)');

program
  .command('up')
  .description(`boot N full hosts (default ${DEFAULT_HOSTS}: vprotect1, vprotect2), or with --light N sshd-only hosts`)
  .argument('[N]', `number of full hosts (1..${MAX_HOSTS})`, count(MAX_HOSTS))
  .option('--light <N>', `start N light hosts light1..N instead (1..${MAX_LIGHT_HOSTS})`, count(MAX_LIGHT_HOSTS))
  .action(async (n: number | undefined, opts: { light?: number }) => {
    if (opts.light !== undefined) {
      if (n !== undefined) throw new InvalidArgumentError('give either N or --light N');
      await upLight(opts.light);
    } else {
      await up(n ?? DEFAULT_HOSTS);
    }
    console.log(formatStatus(await status()));
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
  .description("SIGKILL a host's PID 1 (fail-over tests); it stays down until `start NAME` or `up`")
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

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
