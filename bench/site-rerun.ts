// Workload (c): a no-op rerun of playbooks/site.ts on the two-node lab, start-up included. Measured
// only when the lab cluster has been deployed already: the benchmark does not deploy it (a first run
// of several minutes, on hosts other engineers' specs may be using).
import { REPO_ROOT } from '../lab/config';
import { LAB_VAULT_PASSWORD_FILE } from '../lab/secrets';
import { timed, tailOf, type Cmd, type Timed } from './child';
import { enginePlaybook, type TypeCheckMode } from './commands';
import type { BenchHosts } from './lab-hosts';
import type { RunProfile } from './profile';
import { recapProblem } from './recap';
import { onEveryHost } from './remote';

export type SiteRerun =
  | {
      readonly measured: true;
      readonly series: Map<string, number[]>;
      readonly commands: readonly string[];
      /** Runs repeated because they did not count, and why. */
      readonly redone: readonly string[];
      readonly profile?: RunProfile;
    }
  | { readonly measured: false; readonly why: string };

/** The services a deployed cluster runs on every node. */
const DEPLOYED = 'systemctl is-active --quiet corosync pacemaker mariadb';

const SITE_ARGS = ['-i', `${REPO_ROOT}/inventory/lab`, '--vault-password-file', LAB_VAULT_PASSWORD_FILE];

export function siteCommand(typeCheck: TypeCheckMode): Cmd {
  return enginePlaybook('playbooks/site.ts', SITE_ARGS, ['-i', 'inventory/lab', '--vault-password-file', LAB_VAULT_PASSWORD_FILE], { typeCheck });
}

export async function siteRerun(lab: BenchHosts, rounds: number): Promise<SiteRerun> {
  const active = await onEveryHost(lab.inventory, DEPLOYED);
  const idle = [...active].filter(([, r]) => r.code !== 0).map(([h]) => h);
  if (idle.length) {
    return {
      measured: false,
      why: `the lab cluster is not deployed (corosync/pacemaker/mariadb not all active on ${idle.join(', ')}); deploy it with \`npx ts-node playbooks/site.ts -i inventory/lab --vault-password-file ${LAB_VAULT_PASSWORD_FILE}\`, then rerun the benchmark`,
    };
  }
  const names = lab.hosts.map((h) => h.name);
  const cmds = [siteCommand('checked'), siteCommand('unchecked'), siteCommand('cold')];
  const problemOf = (t: Timed): string | undefined => (t.code !== 0 ? `exit ${t.code}` : recapProblem(t.stdout, names, 0));
  // One untimed run first: it must already be a no-op (twice more if the shared lab got in the way).
  let warm = await timed(cmds[0]!);
  for (let i = 0; i < 2 && problemOf(warm); i++) warm = await timed(cmds[0]!);
  if (problemOf(warm)) return { measured: false, why: `site.ts rerun is not a no-op on the lab (${problemOf(warm)}):\n${tailOf(warm, 8)}` };
  const series = new Map<string, number[]>(cmds.map((c) => [c.label, []]));
  const redone: string[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const cmd of cmds) {
      let t = await timed(cmd);
      // A run the shared lab spoiled (a host rebooted, the exit-status race) is repeated, 3 times in all at most.
      while (problemOf(t) && redone.length < 3) {
        redone.push(`${cmd.label.split(' playbooks')[0]}: ${problemOf(t)}`);
        await new Promise((done) => setTimeout(done, 5000));
        t = await timed(cmd);
      }
      if (problemOf(t)) return { measured: false, why: `${cmd.label}: not a clean no-op (${problemOf(t)}):\n${tailOf(t, 8)}` };
      series.get(cmd.label)!.push(t.ms);
    }
  }
  return { measured: true, series, commands: cmds.map((c) => c.label), redone, profile: await profileSite() };
}

/** One in-process profile of the rerun (bench/profile.ts): round trips, time by role, slowest tasks. */
async function profileSite(): Promise<RunProfile | undefined> {
  const argv = ['npx', 'ts-node', 'bench/profile.ts', 'playbooks/site.ts', ...SITE_ARGS];
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await timed({ label: 'profile site.ts', argv });
    if (r.code !== 0) continue;
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as RunProfile;
    if (p.exitCode === 0 && p.changed === 0) return p;
  }
  return undefined;
}
