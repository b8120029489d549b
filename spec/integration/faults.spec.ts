// Faults on the lab (issue 7, "Faults" and "Data"), each through a real playbook run over SSH:
// an unreachable host, a wrong key, an unknown or changed host key, sshd killed mid-task, a hung
// command (--timeout), Ctrl-C of a running playbook, and mysql_load refusing a non-empty database.
// The lab is shared: no host is stopped and no sshd but the one serving this spec's own connection is
// killed; an unreachable host is an unused lab address; everything written lives in /tmp/spec-faults-*.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { main } from '../../engine/cli';
import { play, playbook, task, type HostView, type Vars } from '../../engine/dsl';
import type { RunEvent } from '../../engine/runner/events';
import type { Connection } from '../../engine/types';
import { sh } from '../../engine/shell';
import { shell } from '../../modules/shell';
import { mysqlLoad } from '../../modules/mysql/load';
import { queryRows } from '../../modules/mysql/client';
import { KNOWN_HOSTS, REPO_ROOT, type LabHost } from '../../lab/config';
import { hostVars } from '../../lab/inventory-file';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { labContext, type LabContext } from '../support/lab-context';
import { keygen } from '../support/sshd';
import { bigContent } from '../fixtures/playbooks/interruptible';

/** `base.NNNNN` seconds, NNNNN random: a sleep no one else runs, found with pgrep, over by itself in time. */
function uniqueSleep(base: number): string {
  return `${base}.${String(randomBytes(3).readUIntBE(0, 3) % 100000).padStart(5, '0')}`;
}

/** An address in the lab range no host uses: nothing answers ARP for it. */
const UNUSED_LAB_ADDRESS = '198.18.0.250';

interface Outcome {
  readonly code: number;
  readonly events: RunEvent[];
  readonly err: string[];
}

/** main() in-process over real SSH (the CLI's own connection path), events as --json. */
async function runJson(pb: Parameters<typeof main>[0], argv: readonly string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(pb, [...argv, '--json'], { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTTY: false });
  return { code, events: out.map((l) => JSON.parse(l) as RunEvent), err };
}

function results(o: Outcome, host: string): { task: string; status: string; msg?: string }[] {
  return o.events.flatMap((e) => (e.type === 'result' && e.host === host ? [{ task: e.task.name, status: e.status, msg: e.msg }] : []));
}

function recap(o: Outcome): Extract<RunEvent, { type: 'recap' }> {
  const r = o.events.at(-1)!;
  expect(r.type).to.equal('recap');
  return r as Extract<RunEvent, { type: 'recap' }>;
}

describe('safety: faults on the lab', function () {
  this.timeout(180_000);
  let lab: LabHandle;
  let local: string;
  const token = randomBytes(4).toString('hex');
  /** This spec's directory on the hosts. */
  const remoteDir = `/tmp/spec-faults-${token}`;
  let one: LabHost;
  let two: LabHost;
  let bystander: Connection;
  let bystander2: Connection;

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    [one, two] = [lab.hosts[0]!, lab.hosts[1]!];
    local = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-faults-'));
    bystander = lab.connect(one.name);
    bystander2 = lab.connect(two.name);
    for (const c of [bystander, bystander2]) expect((await c.exec(sh`mkdir -p ${remoteDir}`)).code).to.equal(0);
  });

  after(async () => {
    for (const c of [bystander, bystander2]) if (c) await c.exec(sh`rm -rf ${remoteDir}`).catch(() => undefined);
    if (local) await fs.rm(local, { recursive: true, force: true });
  });

  /** A YAML inventory in the local temp dir: group cluster, each host with its connection variables. */
  async function inventory(name: string, hosts: Record<string, Record<string, string>>): Promise<string> {
    const dir = path.join(local, name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'hosts.yml'), YAML.stringify({ all: { children: { cluster: { hosts } } } }));
    return dir;
  }

  const marker = (h: HostView<Vars>, what: string): string => `${remoteDir}/${h.name}-${what}`;
  const twoSteps = playbook('two-steps', [
    play({
      name: 'two steps',
      hosts: 'cluster',
      tasks: [
        task({ name: 'first', action: (h) => shell({ cmd: sh`touch ${marker(h, 'first')}` }) }),
        task({ name: 'second', action: (h) => shell({ cmd: sh`touch ${marker(h, 'second')}` }) }),
      ],
    }),
  ]);

  describe('hosts that cannot be reached or logged into', () => {
    let run: Outcome;
    let wrongKey: string;
    let forged: string;

    before(async () => {
      wrongKey = (await keygen(path.join(local, 'wrong-key'), 'ed25519')).file;
      // vprotect2's host key recorded for vprotect1's address: what a replaced (or spoofed) server looks like.
      const known = await fs.readFile(KNOWN_HOSTS, 'utf8');
      const twoKey = known.split('\n').find((l) => l.split(' ')[0]!.split(',').includes(two.ip))!;
      forged = path.join(local, 'forged_known_hosts');
      await fs.writeFile(forged, `${one.ip} ${twoKey.split(' ').slice(1).join(' ')}\n`);
      await fs.writeFile(path.join(local, 'empty_known_hosts'), '');
      const dir = await inventory('unreachable', {
        [one.name]: hostVars(one),
        ghost: { ...hostVars(one), ansible_host: UNUSED_LAB_ADDRESS },
        badkey: { ...hostVars(two), ansible_ssh_private_key_file: wrongKey },
        spoofed: { ...hostVars(one), ansible_ssh_known_hosts_file: forged },
        stranger: { ...hostVars(two), ansible_ssh_known_hosts_file: path.join(local, 'empty_known_hosts') },
      });
      run = await runJson(twoSteps, ['-i', dir]);
    });

    it('exit 4; the reachable host runs every task; each bad host is unreachable after its first task, counted once', async () => {
      expect(run.code, run.err.join('\n')).to.equal(4);
      expect(results(run, one.name)).to.deep.equal([
        { task: 'first', status: 'changed', msg: undefined },
        { task: 'second', status: 'changed', msg: undefined },
      ]);
      for (const h of ['ghost', 'badkey', 'spoofed', 'stranger']) {
        expect(results(run, h).map((r) => `${r.task} ${r.status}`), h).to.deep.equal(['first unreachable']);
        expect(recap(run).stats[h], h).to.deep.include({ unreachable: 1, ok: 0, changed: 0, failed: 0 });
      }
      const made = (await bystander.exec(sh`ls ${remoteDir}`)).stdout.split('\n').filter((f) => /-(first|second)$/.test(f));
      expect(made.sort()).to.deep.equal([`${one.name}-first`, `${one.name}-second`]);
    });

    it('an unused address: named with the reason', () => {
      expect(results(run, 'ghost')[0]!.msg).to.match(new RegExp(`^${UNUSED_LAB_ADDRESS.replace(/\./g, '\\.')}:22 is unreachable \\((EHOSTUNREACH|ETIMEDOUT)\\)$|no SSH handshake with root@${UNUSED_LAB_ADDRESS.replace(/\./g, '\\.')}:22`));
    });

    it('a wrong key: authentication failed, naming user, address and the key tried', () => {
      const msg = results(run, 'badkey')[0]!.msg!;
      expect(msg).to.include(`authentication failed for root@${two.ip}:22`).and.include(wrongKey);
    });

    it('a changed host key: refused, naming the known_hosts line; an unknown one: how to accept it', () => {
      expect(results(run, 'spoofed')[0]!.msg).to.include('HOST KEY CHANGED').and.include(`${forged}:1`);
      const unknown = results(run, 'stranger')[0]!.msg!;
      expect(unknown).to.match(new RegExp(`unknown host key for ${two.ip.replace(/\./g, '\\.')}: ED25519 key SHA256:`));
      expect(unknown).to.include('--accept-new-host-keys');
    });
  });

  it("sshd killed mid-task on one host: that host is unreachable, the other finishes every task (exit 4)", async () => {
    const pidFile = (h: HostView<Vars>): string => marker(h, 'sshd-pid');
    const held = uniqueSleep(120);
    const pb = playbook('sshd-killed', [
      play({
        name: 'hold a command',
        hosts: 'cluster',
        tasks: [
          task({
            name: 'hold',
            // The nearest sshd ancestor serves this connection (all its channels): killing it drops only that.
            action: (h) =>
              shell({
                cmd:
                  'p=$$; while [ "$(ps -o comm= -p "$p")" != sshd ]; do p=$(ps -o ppid= -p "$p" | tr -d " "); done\n' +
                  sh`echo "$p" > ${pidFile(h)}.tmp && mv ${pidFile(h)}.tmp ${pidFile(h)}\n` +
                  `sleep ${h.name === one.name ? held : 3}`,
              }),
          }),
          task({ name: 'after', action: (h) => shell({ cmd: sh`touch ${marker(h, 'after-kill')}` }) }),
        ],
      }),
    ]);
    const dir = await inventory('sshd-killed', { [one.name]: hostVars(one), [two.name]: hostVars(two) });
    const running = runJson(pb, ['-i', dir]);
    const file = `${remoteDir}/${one.name}-sshd-pid`;
    let pid = '';
    while (!/^\d+$/.test(pid)) pid = (await bystander.exec(sh`cat ${file} 2>/dev/null`)).stdout.trim();
    // Not the listening daemon: a session process of this spec's own connection.
    expect((await bystander.exec(sh`ps -o args= -p ${pid}`)).stdout).to.match(/^sshd: root/);
    expect((await bystander.exec(sh`kill -KILL ${pid}`)).code).to.equal(0);
    const run = await running;
    expect(run.code).to.equal(4);
    const [hold] = results(run, one.name);
    expect(hold).to.deep.include({ task: 'hold', status: 'unreachable' });
    expect(hold!.msg).to.include(`connection to root@${one.ip}:22 lost`);
    expect(results(run, one.name)).to.have.length(1);
    expect(results(run, two.name).map((r) => `${r.task} ${r.status}`)).to.deep.equal(['hold changed', 'after changed']);
    expect((await bystander2.exec(sh`test -e ${remoteDir}/${two.name}-after-kill`)).code).to.equal(0);
    expect((await bystander.exec(sh`test -e ${remoteDir}/${one.name}-after-kill`)).code).to.equal(1);
    // The lab host itself is fine: a new connection works.
    expect((await lab.connect(one.name).exec('uname -n')).stdout.trim()).to.equal(one.name);
    // A dropped connection cannot stop its command: this spec ends its own orphan (found by its unique sleep).
    await bystander.exec(`for p in $(pgrep -f '[s]leep ${held.replace('.', '[.]')}'); do kill -KILL "$p"; done`);
  });

  it('a hung command with --timeout: the host fails "timed out after N s", the remote process is gone, the other host goes on', async () => {
    const seconds = uniqueSleep(300); // no one else runs this sleep: it can be found (and ends by itself anyway)
    const pb = playbook('hang', [
      play({
        name: 'hang',
        hosts: 'cluster',
        tasks: [
          task({ name: 'maybe hang', action: (h) => shell({ cmd: h.name === one.name ? `sleep ${seconds}` : 'true' }) }),
          task({ name: 'after', action: (h) => shell({ cmd: sh`touch ${marker(h, 'after-hang')}` }) }),
        ],
      }),
    ]);
    const dir = await inventory('hang', { [one.name]: hostVars(one), [two.name]: hostVars(two) });
    // `[s]leep`: the pattern does not match the pgrep command line itself.
    const find = async (): Promise<string> => (await bystander.exec(`pgrep -f '[s]leep ${seconds.replace('.', '[.]')}' || true`)).stdout.trim();
    const running = runJson(pb, ['-i', dir, '--timeout', '3']);
    let seen = '';
    while (!seen) seen = await find(); // it does run (and hang) on the host
    const run = await running;
    expect(run.code).to.equal(2);
    expect(results(run, one.name)).to.deep.equal([{ task: 'maybe hang', status: 'failed', msg: 'timed out after 3 s' }]);
    expect(results(run, two.name).map((r) => `${r.task} ${r.status}`)).to.deep.equal(['maybe hang changed', 'after changed']);
    // The engine killed the command's process group on the host (after the timeout, not necessarily at once).
    let left = seen;
    for (let i = 0; i < 50 && left; i++) {
      left = await find();
      if (left) await new Promise((r) => setTimeout(r, 200));
    }
    expect(left, `sleep ${seconds} still runs on ${one.name}`).to.equal('');
  });

  describe('Ctrl-C (SIGINT) of a running playbook (a child process)', () => {
    interface Interrupted {
      readonly code: number | null;
      readonly stdout: string;
      readonly stderr: string;
    }

    /** Run the fixture playbook; send SIGINT once `trigger` shows on stdout. */
    async function interrupt(dir: string, trigger: string, bigMb: number): Promise<Interrupted> {
      const inv = await inventory(`sigint-${path.basename(dir)}`, { [one.name]: hostVars(one), [two.name]: hostVars(two) });
      const child = spawn(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'spec/fixtures/playbooks/interruptible.ts', '-i', inv, '-e', `spec_dir=${dir}`, '-e', `spec_big_mb=${bigMb}`],
        { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } },
      );
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
        if (!sent && stdout.includes(trigger)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (c) => resolve(c));
      });
      expect(sent, `never saw ${trigger}:\n${stdout}\n${stderr}`).to.equal(true);
      return { code, stdout, stderr };
    }

    const files = async (c: Connection, dir: string): Promise<string[]> =>
      (await c.exec(sh`ls -A ${dir} 2>/dev/null || true`)).stdout.split('\n').filter(Boolean).sort();

    it('during a slow command: it finishes on every host, nothing after it starts, the recap is printed, exit 130', async () => {
      const dir = `${remoteDir}-slow`;
      try {
        const r = await interrupt(dir, 'TASK [slow command]', 4);
        expect(r.code, r.stdout + r.stderr).to.equal(130);
        expect(r.stderr).to.contain('interrupted: finishing in-flight tasks');
        expect(r.stdout).to.contain('PLAY RECAP');
        expect(r.stdout).not.to.contain('TASK [big copy]');
        for (const c of [bystander, bystander2]) expect(await files(c, dir), c.host).to.deep.equal(['slow-done']);
      } finally {
        for (const c of [bystander, bystander2]) await c.exec(sh`rm -rf ${dir}`);
      }
    });

    it('during a big atomic copy: the file is whole or absent, no temp file is left, exit 130', async () => {
      const dir = `${remoteDir}-copy`;
      const mb = 48;
      try {
        const r = await interrupt(dir, 'TASK [big copy]', mb);
        expect(r.code, r.stdout + r.stderr).to.equal(130);
        expect(r.stdout).to.contain('PLAY RECAP');
        expect(r.stdout).not.to.contain('TASK [after]');
        const want = createHash('sha256').update(bigContent(mb)).digest('hex');
        for (const c of [bystander, bystander2]) {
          const left = await files(c, dir);
          expect(left.filter((f) => f.includes('.tmp-')), `${c.host}: temp files`).to.deep.equal([]);
          expect(left.filter((f) => !['slow-done', 'big.bin'].includes(f)), c.host).to.deep.equal([]);
          if (left.includes('big.bin')) expect((await c.exec(sh`sha256sum ${dir}/big.bin`)).stdout.split(' ')[0], c.host).to.equal(want);
        }
      } finally {
        for (const c of [bystander, bystander2]) await c.exec(sh`rm -rf ${dir}`);
      }
    });
  });

  it("data: mysql_load refuses to load over vprotect2's non-empty vprotect database and leaves it as it was", async () => {
    const ctx = await labContext(lab, two.name);
    // MariaDB is disabled at boot on a fresh lab host (the roles start it): this spec must not depend on
    // site.ts having run first, so it starts the server itself and leaves it as it found it.
    const wasActive = (await ctx.conn.exec('systemctl is-active --quiet mariadb')).code === 0;
    if (!wasActive) expect((await ctx.conn.exec('systemctl start mariadb')).code, 'start mariadb').to.equal(0);
    try {
      await refusesAndKeepsTables(ctx);
    } finally {
      if (!wasActive) await ctx.conn.exec('systemctl stop mariadb');
    }
  });

  async function refusesAndKeepsTables(ctx: LabContext): Promise<void> {
    const dump = `${remoteDir}/seed.sql`;
    const count = async (): Promise<number> =>
      Number((await queryRows(ctx, undefined, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'vprotect'"))[0]!.n);
    const before = await count();
    expect(before, "the lab image's vprotect database holds tables").to.be.greaterThan(0);
    await ctx.conn.put(dump, 'DROP TABLE IF EXISTS ha_replication_check;\nCREATE TABLE spec_faults_overwrite (id INT);\n', { mode: 0o600 });
    let message = '';
    try {
      // The module's own guard, named as a role would name it (the mariadb role's seed guards by rows first).
      await mysqlLoad({ database: 'vprotect', src: dump, force: false, forceVariable: 'mariadb_replace_peer_database' }).run(ctx);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.equal(
      `refusing to load ${dump} into database vprotect on ${two.name}: it already has ${before} table(s) ` +
        'whose rows the dump would replace; set mariadb_replace_peer_database: true to load it anyway',
    );
    expect(await count()).to.equal(before);
    expect((await ctx.conn.exec(sh`test -e ${dump}.loaded`)).code, 'no load marker').to.equal(1);
  }
});
