// Secrets on the lab (issue 7, "Secrets"): site.ts with the lab vault, as a user runs it (-vvv, and
// --json through the engine with every connection recorded), must show no secret in any output, leave
// none in a file on either host, and hand them to the hosts only on stdin or in 0600 files, never in argv.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli';
import { openConnection } from '../../engine/connection/index';
import type { Connection } from '../../engine/types';
import { site } from '../../playbooks/site';
import { REPO_ROOT } from '../../lab/config';
import { ensureLabSecrets, LAB_VAULT_FILE, LAB_VAULT_PASSWORD_FILE, type LabSecrets } from '../../lab/secrets';
import { mysqlUser } from '../../modules/mysql/user';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { labContext } from '../support/lab-context';
import { RecordingConnection } from '../support/recording-connection';

/** Where a leftover secret could sit on a host: temp dirs, root's home, logs. */
const SCANNED = ['/tmp', '/root', '/var/tmp', '/var/log'];

/** Files under `dirs` on the host holding any of `needles` (patterns go on grep's stdin, not its argv). */
async function filesHolding(conn: Connection, needles: readonly string[], dirs: readonly string[]): Promise<string[]> {
  const r = await conn.exec(`grep -rlaF -f - ${dirs.join(' ')} 2>/dev/null; [ $? -le 1 ]`, { stdin: needles.join('\n') + '\n' });
  expect(r.code, `grep on ${conn.host}: ${r.stderr}`).to.equal(0);
  return r.stdout.split('\n').filter(Boolean);
}

function run(argv: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...argv], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('safety: secrets on the lab (site.ts with the lab vault)', function () {
  this.timeout(300_000);
  let lab: LabHandle;
  let secrets: LabSecrets;
  let values: string[];

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    secrets = await ensureLabSecrets();
    values = Object.values(secrets);
    expect(values).to.have.length(3);
  });

  const expectNoSecret = (text: string, what: string): void => {
    for (const [name, v] of Object.entries(secrets)) expect(text.includes(v), `${what} shows ${name}`).to.equal(false);
  };

  it('`site.ts -vvv` (a child process, as a user runs it) prints no secret', async () => {
    const r = await run(['playbooks/site.ts', '-i', lab.inventoryDir, '--vault-password-file', LAB_VAULT_PASSWORD_FILE, '-vvv']);
    expect(r.code, r.output.slice(-2000)).to.equal(0);
    expect(r.output).to.contain('PLAY RECAP');
    expect(r.output, 'the -vvv command log is there').to.match(/<vprotect1> \$ /);
    expectNoSecret(r.output, 'site.ts -vvv');
  });

  describe('site.ts --json -vvv through the engine, every host connection recorded', () => {
    const recorded = new Map<string, RecordingConnection>();
    const lines: string[] = [];
    let code: number;

    before(async () => {
      code = await main(site, ['-i', lab.inventoryDir, '--vault-password-file', LAB_VAULT_PASSWORD_FILE, '--json', '-vvv'], {
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
        env: process.env,
        isTTY: false,
        connect: (entry) => {
          const c = new RecordingConnection(openConnection(entry, {}));
          recorded.set(entry.name, c);
          return c;
        },
      });
    });

    it('runs green and prints no secret in any JSON event', () => {
      expect(code, lines.slice(-3).join('\n')).to.equal(0);
      expect(JSON.parse(lines.at(-1)!)).to.deep.include({ type: 'recap', exitCode: 0 });
      expectNoSecret(lines.join('\n'), '--json -vvv');
    });

    it('no command string or environment holds a secret; secrets went on stdin; files holding one are 0600', () => {
      expect([...recorded.keys()].sort()).to.deep.equal(['vprotect1', 'vprotect2']);
      let onStdin = 0;
      for (const [host, c] of recorded) {
        expect(c.execs.length, host).to.be.greaterThan(10);
        for (const e of c.execs) {
          const leaked = values.find((v) => e.cmd.includes(v) || Object.entries(e.env).flat().some((x) => x.includes(v)));
          expect(leaked, `${host}: a secret in the command or env of: ${e.cmd.slice(0, 120)}`).to.equal(undefined);
          if (values.some((v) => e.stdin.includes(v))) onStdin += 1;
        }
        for (const p of c.puts) if (values.some((v) => p.content.includes(v))) expect(p.mode, `${host}: ${p.path}`).to.equal(0o600);
        // Even on a converged pair the hacluster password is checked, on stdin of the shadow script.
        expect(c.execs.some((e) => e.cmd.includes('getent shadow') && e.stdin === secrets.hacluster_password), host).to.equal(true);
      }
      expect(onStdin).to.be.greaterThan(1);
    });
  });

  it('`npm run lab -- up` makes the lab whole: its vault and the vault\'s password exist, a playbook run right after it reads them', async () => {
    const saved = readFileSync(LAB_VAULT_FILE);
    rmSync(LAB_VAULT_FILE);
    try {
      const up = await run(['lab/cli.ts', 'up']);
      expect(up.code, up.output.slice(-2000)).to.equal(0);
      expect(existsSync(LAB_VAULT_FILE) && existsSync(LAB_VAULT_PASSWORD_FILE), 'vault file and its password').to.equal(true);
      // Role variables are validated before hosts are listed: a missing secret would stop it here.
      const listed = await run(['playbooks/site.ts', '-i', lab.inventoryDir, '--vault-password-file', LAB_VAULT_PASSWORD_FILE, '--list-hosts']);
      expect(listed.code, listed.output.slice(-2000)).to.equal(0);
      expect(listed.output).to.match(/vprotect1/).and.match(/vprotect2/);
    } finally {
      // The hosts hold the secrets of the vault the earlier specs used: it comes back as it was.
      writeFileSync(LAB_VAULT_FILE, saved, { mode: 0o600 });
    }
  });

  it(`no file under ${SCANNED.join(', ')} on either host holds a secret`, async () => {
    for (const host of lab.hosts) {
      const found = await filesHolding(lab.connect(host.name), values, SCANNED);
      expect(found, `${host.name}: files holding a secret`).to.deep.equal([]);
    }
  });

  it("creating a MariaDB user with a password leaves it in no binary/relay log nor any scanned file (the hash goes to the server)", async () => {
    const ctx = await labContext(lab, 'vprotect1');
    const password = `Fresh-${randomBytes(9).toString('base64url')}`;
    const user = `safety_probe_${randomBytes(3).toString('hex')}`;
    try {
      expect((await mysqlUser({ name: user, host: 'localhost', password }).run(ctx)).changed).to.equal(true);
      const login = await ctx.conn.exec(`mysql --user=${user} --password="$(cat)" -N -e 'SELECT CURRENT_USER()'`, { stdin: password });
      expect(login.stdout.trim(), login.stderr).to.equal(`${user}@localhost`);
      for (const host of lab.hosts) {
        const conn = lab.connect(host.name);
        const logs = (await conn.exec("ls -d /var/lib/mysql/*-bin.[0-9]* /var/lib/mysql/*-relay-bin.[0-9]* 2>/dev/null")).stdout.split('\n').filter(Boolean);
        expect(path.basename(logs[0] ?? ''), `${host.name}: binary logs exist`).to.match(/bin\.\d+$/);
        expect(await filesHolding(conn, [password], [...logs, ...SCANNED]), host.name).to.deep.equal([]);
      }
    } finally {
      await mysqlUser({ name: user, host: 'localhost', state: 'absent' }).run(ctx);
    }
  });
});
