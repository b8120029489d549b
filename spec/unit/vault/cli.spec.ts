// The vault command as users run it: a child process, password by file or environment.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isVaultText } from '../../../engine/vault/crypto';
import { VAULT_PASSWORD_HINT } from '../../../engine/vault/password';

const PLAINTEXT = 'hacluster_password: "hc pw"\nmariadb_root_password: r00t\n';

describe('vault CLI (create, view, edit, encrypt, decrypt)', function () {
  this.timeout(60000);
  let dir: string;
  let pwFile: string;
  const vault = (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'engine/vault/cli.ts', ...args], {
      input: opts.input ?? '',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: dir, ...opts.env },
    });
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpha-vault-cli-'));
    pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'file-password\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates from stdin and views it back', () => {
    const file = join(dir, 'created.yml');
    const created = vault(['create', file, '--vault-password-file', pwFile], { input: PLAINTEXT });
    expect(created.stderr.trim()).to.equal(`created ${file}`);
    expect(created.status).to.equal(0);
    const text = readFileSync(file, 'utf8');
    expect(isVaultText(text)).to.equal(true);
    expect(text).not.to.include('r00t');
    expect(mode(file)).to.equal('600');
    const viewed = vault(['view', file, '--vault-password-file', pwFile]);
    expect(viewed.status).to.equal(0);
    expect(viewed.stdout).to.equal(PLAINTEXT);
  });

  it('refuses to create over an existing file, and plaintext that is not a mapping', () => {
    const file = join(dir, 'created.yml');
    const again = vault(['create', file, '--vault-password-file', pwFile], { input: 'a: 1\n' });
    expect(again.status).to.equal(1);
    expect(again.stderr.trim()).to.equal(`vault ${file}: already exists (use edit)`);
    const list = join(dir, 'list.yml');
    const bad = vault(['create', list, '--vault-password-file', pwFile], { input: '- a\n- b\n' });
    expect(bad.status).to.equal(1);
    expect(bad.stderr.trim()).to.equal(`vault: ${list} (plaintext):1: a vault file must be a mapping of variables, got a list`);
    expect(existsSync(list)).to.equal(false);
  });

  it('encrypts and decrypts in place with the password from VPHA_VAULT_PASSWORD', () => {
    const file = join(dir, 'plain.yml');
    writeFileSync(file, PLAINTEXT);
    const env = { VPHA_VAULT_PASSWORD: 'env-password' };
    expect(vault(['encrypt', file], { env }).status).to.equal(0);
    expect(isVaultText(readFileSync(file, 'utf8'))).to.equal(true);
    expect(mode(file)).to.equal('600');
    expect(vault(['view', file], { env }).stdout).to.equal(PLAINTEXT);
    const twice = vault(['encrypt', file], { env });
    expect([twice.status, twice.stderr.trim()]).to.deep.equal([1, `vault ${file}: already encrypted`]);
    expect(vault(['decrypt', file], { env }).status).to.equal(0);
    expect(readFileSync(file, 'utf8')).to.equal(PLAINTEXT);
    expect(mode(file)).to.equal('600');
  });

  it('refuses a wrong or missing password, printing nothing on stdout', () => {
    const file = join(dir, 'created.yml');
    const wrong = vault(['view', file], { env: { VPHA_VAULT_PASSWORD: 'nope' } });
    expect([wrong.status, wrong.stdout, wrong.stderr.trim()]).to.deep.equal([
      1,
      '',
      `vault ${file}: wrong password: no vault secret decrypts it (tried vault id 'default' (env VPHA_VAULT_PASSWORD))`,
    ]);
    const none = vault(['view', file]);
    expect([none.status, none.stderr.trim()]).to.deep.equal([1, `vault: ${file} is vault-encrypted: ${VAULT_PASSWORD_HINT}`]);
  });

  it('edits with $EDITOR on a 0600 file in a 0700 dir that is removed afterwards', () => {
    const file = join(dir, 'created.yml');
    const log = join(dir, 'editor.log');
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nstat -c '%a' "$1" "$(dirname "$1")" > '${log}'\necho "$1" >> '${log}'\necho 'added: yes' >> "$1"\n`);
    chmodSync(editor, 0o700);
    const edited = vault(['edit', file, '--vault-password-file', pwFile], { env: { EDITOR: editor } });
    expect(edited.status, edited.stderr).to.equal(0);
    const [fileMode, dirMode, tempPath = ''] = readFileSync(log, 'utf8').trim().split('\n');
    expect([fileMode, dirMode]).to.deep.equal(['600', '700']);
    expect(tempPath.startsWith(dir)).to.equal(true);
    expect(existsSync(tempPath)).to.equal(false);
    expect(existsSync(join(tempPath, '..'))).to.equal(false);
    expect(vault(['view', file, '--vault-password-file', pwFile]).stdout).to.equal(`${PLAINTEXT}added: yes\n`);
  });

  it('leaves the file as it was when the editor fails or changes nothing', () => {
    const file = join(dir, 'created.yml');
    const before = readFileSync(file, 'utf8');
    const failed = vault(['edit', file, '--vault-password-file', pwFile], { env: { EDITOR: 'false' } });
    expect([failed.status, failed.stderr.trim()]).to.deep.equal([1, `vault ${file}: the editor 'false' exited with 1; nothing was written`]);
    const same = vault(['edit', file, '--vault-password-file', pwFile], { env: { EDITOR: 'true' } });
    expect([same.status, same.stderr.trim()]).to.deep.equal([0, `${file} unchanged`]);
    expect(readFileSync(file, 'utf8')).to.equal(before);
  });

  it('creates with a labelled vault id (1.2), edits keeping it, rekeys to a new secret, and asks which id to encrypt with when several fit', () => {
    const prodPw = join(dir, 'prod-pw');
    writeFileSync(prodPw, 'prod-password\n');
    const file = join(dir, 'labelled.yml');
    expect(vault(['create', file, '--vault-id', `prod@${prodPw}`], { input: PLAINTEXT }).status).to.equal(0);
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.2;AES256;prod');
    const editor = join(dir, 'append.sh');
    writeFileSync(editor, '#!/bin/sh\necho "more: 1" >> "$1"\n');
    chmodSync(editor, 0o700);
    expect(vault(['edit', file, '--vault-id', `prod@${prodPw}`], { env: { EDITOR: editor } }).status).to.equal(0);
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.2;AES256;prod');
    const rekeyed = vault(['rekey', file, '--vault-id', `prod@${prodPw}`, '--new-vault-password-file', pwFile]);
    expect([rekeyed.status, rekeyed.stderr.trim()]).to.deep.equal([0, `rekeyed ${file}`]);
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.1;AES256');
    expect(vault(['view', file, '--vault-password-file', pwFile]).stdout).to.equal(`${PLAINTEXT}more: 1\n`);
    expect(vault(['view', file, '--vault-id', `prod@${prodPw}`]).status).to.equal(1);
    const both = vault(['create', join(dir, 'ambiguous.yml'), '--vault-id', `prod@${prodPw}`, '--vault-password-file', pwFile], { input: PLAINTEXT });
    expect([both.status, both.stderr.trim()]).to.deep.equal([1, 'vault: the vault ids prod, default can all encrypt: choose one with --encrypt-vault-id']);
    const chosen = vault(['create', join(dir, 'chosen.yml'), '--vault-id', `prod@${prodPw}`, '--vault-password-file', pwFile, '--encrypt-vault-id', 'prod'], { input: PLAINTEXT });
    expect(chosen.status, chosen.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'chosen.yml'), 'utf8').split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.2;AES256;prod');
  });

  it('encrypts and decrypts to --output - (stdout), leaving the file as it was', () => {
    const file = join(dir, 'plain-out.yml');
    writeFileSync(file, PLAINTEXT);
    const enc = vault(['encrypt', file, '--vault-password-file', pwFile, '--output', '-']);
    expect(enc.status, enc.stderr).to.equal(0);
    expect(enc.stdout.split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.1;AES256');
    expect(readFileSync(file, 'utf8')).to.equal(PLAINTEXT);
    writeFileSync(file, enc.stdout);
    const dec = vault(['decrypt', file, '--vault-password-file', pwFile, '--output', '-']);
    expect([dec.status, dec.stdout]).to.deep.equal([0, PLAINTEXT]);
  });
});
