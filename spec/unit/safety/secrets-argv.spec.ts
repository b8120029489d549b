// Secrets on fake hosts: the real site playbook, driven through main() on loosely scripted hosts
// (spec/support/site-host.ts), must hand every secret to the host on stdin or in a 0600 file that is
// removed after use, never in a command string or the environment, and never print one (-vvv, --json).
import { expect } from 'chai';
import YAML from 'yaml';
import { site } from '../../../playbooks/site';
import type { FakeConnection, FakeOp } from '../../support/fake-connection';
import type { RunEvent } from '../../../engine/runner/events';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, SITE_SECRETS, tempDir, type CliRun } from '../../support/cli-harness';
import { siteCluster } from '../../support/site-host';
import { nativePasswordHash } from '../../../modules/mysql/user';

const ROOT_PASSWORD = 'Root-s3cret-5e6f7';
const SECRETS = [...Object.values(SITE_SECRETS), ROOT_PASSWORD];

type Exec = Extract<FakeOp, { kind: 'exec' }>;
type Put = Extract<FakeOp, { kind: 'put' }>;

const execs = (h: FakeConnection): Exec[] => h.ops.filter((o): o is Exec => o.kind === 'exec');
const puts = (h: FakeConnection): Put[] => h.ops.filter((o): o is Put => o.kind === 'put');
const stdinOf = (o: Exec): string => String(o.opts.stdin ?? '');
const holdsSecret = (text: string): string | undefined => SECRETS.find((s) => text.includes(s));

async function siteRun(argv: readonly string[], vars: Record<string, unknown> = {}): Promise<CliRun> {
  const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify({ ...SITE_GROUP_VARS, ...vars }) });
  const cluster = siteCluster();
  return runMain(site, ['-i', dir, ...argv], { host: (e) => cluster.host(e.name) });
}

/** The argv/env/file rules over every operation of every host; returns how many carried a secret. */
function expectSecretsOnlyOnStdinOr0600(run: CliRun): { stdin: number; files: number } {
  let stdin = 0;
  let files = 0;
  for (const [name, h] of run.hosts) {
    const ops = h.ops;
    for (const [i, o] of ops.entries()) {
      if (o.kind === 'exec') {
        expect(holdsSecret(o.cmd), `${name}: a secret in the command string ${o.cmd.slice(0, 200)}`).to.equal(undefined);
        const env = Object.entries(o.opts.env ?? {}).flat().join('\n');
        expect(holdsSecret(env), `${name}: a secret in the environment of ${o.cmd.slice(0, 80)}`).to.equal(undefined);
        expect(holdsSecret(o.opts.cwd ?? ''), `${name}: a secret in cwd`).to.equal(undefined);
        if (holdsSecret(stdinOf(o))) stdin += 1;
      } else if (o.kind === 'put') {
        if (!holdsSecret(o.content)) continue;
        files += 1;
        expect(o.opts.mode, `${name}: ${o.path} holds a secret: mode`).to.equal(0o600);
        // A credentials file lives only for its command: removed by a later exec on the same host.
        const removed = ops.slice(i + 1).some((later) => later.kind === 'exec' && /^rm -f /.test(later.cmd) && later.cmd.includes(o.path));
        expect(removed, `${name}: ${o.path} (holds a secret) is removed after use`).to.equal(true);
        expect(h.files.has(o.path), `${name}: ${o.path} still on the host`).to.equal(false);
      } else {
        expect(holdsSecret(o.path), `${name}: a secret in a path`).to.equal(undefined);
      }
    }
  }
  return { stdin, files };
}

function expectNoSecretIn(lines: readonly string[], what: string): void {
  const text = lines.join('\n');
  for (const s of SECRETS) expect(text.includes(s), `${what} shows a secret`).to.equal(false);
}

function events(run: CliRun): RunEvent[] {
  return run.out.map((l) => JSON.parse(l) as RunEvent);
}

/** status of `task` (by name) on `host` from --json events. */
function statusOf(evs: readonly RunEvent[], task: string, host: string): string | undefined {
  return evs.flatMap((e) => (e.type === 'result' && e.task.name === task && e.host === host ? [e.status] : []))[0];
}

/** The execs on `host` whose command matches and whose stdin carries `secret`. */
function secretExecs(run: CliRun, host: string, cmd: RegExp, secret: string): Exec[] {
  return execs(run.hosts.get(host)!).filter((o) => cmd.test(o.cmd) && stdinOf(o).includes(secret));
}

describe('safety: secrets go on stdin or in 0600 files, never in argv, env or output (site playbook, fake hosts)', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  let json: CliRun;
  let evs: RunEvent[];
  before(async () => {
    json = await siteRun(['--json', '-vvv']);
    evs = events(json);
  });

  it('the whole site playbook runs to the end on the fake pair', () => {
    const recap = evs.at(-1)!;
    expect(recap.type).to.equal('recap');
    expect(json.code, JSON.stringify(recap)).to.equal(0);
  });

  it('no command string or environment holds a secret; they travel on stdin', () => {
    const { stdin } = expectSecretsOnlyOnStdinOr0600(json);
    expect(stdin).to.be.greaterThan(0);
  });

  it('hacluster_password: on stdin of the shadow script on each node, and of `pcs host auth`', () => {
    const pw = SITE_SECRETS.hacluster_password;
    for (const h of ['vprotect1', 'vprotect2']) {
      expect(statusOf(evs, 'Set the hacluster password', h)).to.equal('changed');
      const [shadow] = secretExecs(json, h, /getent shadow/, pw);
      expect(shadow, h).to.not.equal(undefined);
      expect(stdinOf(shadow!)).to.equal(pw);
    }
    expect(statusOf(evs, 'Authenticate the nodes to pcsd as hacluster', 'vprotect1')).to.equal('changed');
    const auth = secretExecs(json, 'vprotect1', /^pcs host auth vprotect1 addr\\?=198\.18\.0\.11 vprotect2 addr\\?=198\.18\.0\.12 -u hacluster$/, pw);
    expect(auth.map(stdinOf)).to.deep.equal([`${pw}\n`]);
  });

  it('mariadb_replicator_password: CHANGE MASTER on the mysql client stdin; CREATE USER sends only its hash (binlogged)', () => {
    const pw = SITE_SECRETS.mariadb_replicator_password;
    for (const h of ['vprotect1', 'vprotect2']) {
      expect(statusOf(evs, 'Replication user', h)).to.equal('changed');
      const sql = execs(json.hosts.get(h)!).filter((o) => /^mysql\b/.test(o.cmd)).map(stdinOf);
      const create = sql.filter((s) => s.includes('CREATE USER'));
      expect(create.join('\n')).to.contain(`CREATE USER 'replicator'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash(pw)}'`);
      expect(create.join('\n')).not.to.contain(pw);
      expect(secretExecs(json, h, /^mysql\b/, pw).map(stdinOf).join('\n')).to.contain(`MASTER_PASSWORD = '${pw}'`);
    }
    expect(statusOf(evs, "Seed the peer from the preferred node's consistent dump, then replicate both ways (guarded)", 'vprotect1')).to.equal('changed');
  });

  it('vprotect_admin_password: on stdin of `vprotect node -e` on the preferred node only', () => {
    const pw = SITE_SECRETS.vprotect_admin_password;
    expect(statusOf(evs, 'Register the node at the local API', 'vprotect1')).to.equal('changed');
    const reg = secretExecs(json, 'vprotect1', /^vprotect node -e vprotect1 admin /, pw);
    expect(reg.map(stdinOf)).to.deep.equal([`${pw}\n`]);
    expect(secretExecs(json, 'vprotect2', /./, pw)).to.deep.equal([]);
  });

  it('--json -vvv output shows no secret, though the runs log every command', () => {
    expect(evs.some((e) => e.type === 'log' && e.line.startsWith('$ '))).to.equal(true);
    expectNoSecretIn(json.out, '--json -vvv stdout');
    expectNoSecretIn(json.err, '--json -vvv stderr');
  });

  it('plain -vvv --diff output shows no secret either (a rerun on fresh fakes)', async () => {
    const plain = await siteRun(['-vvv', '--diff']);
    expect(plain.code, plain.out.slice(-4).join('\n')).to.equal(0);
    expect(plain.out.join('\n')).to.contain('TASK [pacemaker : Authenticate the nodes to pcsd as hacluster]');
    expectNoSecretIn(plain.out, '-vvv stdout');
    expectNoSecretIn(plain.err, '-vvv stderr');
    expectSecretsOnlyOnStdinOr0600(plain);
  });

  it("with mariadb_root_password the client logs in through a 0600 file that is removed after each use", async () => {
    const run = await siteRun(['--tags', 'mariadb', '--json', '-vvv'], { mariadb_root_password: ROOT_PASSWORD });
    expect(run.code).to.equal(0);
    const { files } = expectSecretsOnlyOnStdinOr0600(run);
    expect(files).to.be.greaterThan(0);
    for (const h of ['vprotect1', 'vprotect2']) {
      const creds = puts(run.hosts.get(h)!).filter((p) => p.content.includes(ROOT_PASSWORD));
      expect(creds.length, h).to.be.greaterThan(0);
      for (const p of creds) {
        expect(p.path).to.match(/^\/tmp\/\.mysql-client-[0-9a-f]{16}\.cnf$/);
        expect(p.content).to.equal(`[client]\nuser="root"\npassword="${ROOT_PASSWORD}"\n`);
      }
      // Every mysql call that logs in named its credentials file, never the password.
      const calls = execs(run.hosts.get(h)!).filter((o) => /^mysql(dump)?\b|umask 077 && mysqldump/.test(o.cmd) && !o.cmd.endsWith('--help'));
      expect(calls.length).to.be.greaterThan(0);
      for (const c of calls) expect(c.cmd).to.match(/--defaults-extra-file=\/tmp\/\.mysql-client-/);
    }
    expectNoSecretIn(run.out, '--tags mariadb --json stdout');
  });
});
