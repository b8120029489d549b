// Vault data: Ansible's format (1.1 and 1.2 with a label) both ways against the real ansible-vault, and the
// engine's earlier AES-256-GCM files still opened.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { ANSIBLE_HEADER } from '../../../engine/vault/ansible-format';
import { decryptVault, encryptVault, isVaultText, vaultIdOf } from '../../../engine/vault/crypto';
import { VaultKeyring } from '../../../engine/vault/keyring';
import { vaultSources } from '../../../engine/vault/password';
import { ansible, requireAnsible } from '../../support/ansible';

const PLAINTEXT = 'hacluster_password: s3cret\nmariadb_root_password: "r00t: pw"\nnon_ascii: "grüße"\n'.repeat(3);

async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (e) {
    return e as Error;
  }
  expect.fail('expected a rejection');
}

describe("vault: Ansible's format", function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpha-vault-fmt-'));
    writeFileSync(join(dir, 'pw-default'), 'correct horse\n');
    writeFileSync(join(dir, 'pw-prod'), 'prod pass\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the 1.1 header, or 1.2 with the vault id as label, then 80-column hex lines', async () => {
    const plain = await encryptVault(PLAINTEXT, 'correct horse');
    const labelled = await encryptVault(PLAINTEXT, 'prod pass', 'prod');
    expect(plain.split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.1;AES256');
    expect(labelled.split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(await encryptVault('a: 1\n', 'pw', 'default')).to.match(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const body = plain.trimEnd().split('\n').slice(1);
    for (const line of body.slice(0, -1)) expect(line).to.match(/^[0-9a-f]{80}$/);
    const inner = Buffer.from(body.join(''), 'hex').toString('latin1').split('\n');
    expect(inner).to.have.length(3);
    expect(inner[0]).to.match(/^[0-9a-f]{64}$/); // 32-byte salt
    expect(inner[1]).to.match(/^[0-9a-f]{64}$/); // HMAC-SHA256
    expect((inner[2] ?? '').length % 32).to.equal(0); // PKCS#7-padded AES blocks
    expect([isVaultText(plain), vaultIdOf(plain), vaultIdOf(labelled)]).to.deep.equal([true, undefined, 'prod']);
    expect(plain).not.to.include('s3cret');
    expect(await decryptVault(plain, 'correct horse', 'v.yml')).to.equal(PLAINTEXT);
  });

  it('refuses a wrong password and a tampered file, naming the file', async () => {
    const sealed = await encryptVault(PLAINTEXT, 'correct horse');
    const lines = sealed.split('\n');
    const flipped = [lines[0], `${lines[1]?.slice(0, 70)}${lines[1]?.[70] === '0' ? '1' : '0'}${lines[1]?.slice(71)}`, ...lines.slice(2)].join('\n');
    for (const [text, password] of [[sealed, 'wrong horse'], [flipped, 'correct horse']] as const) {
      const e = await rejection(decryptVault(text, password, 'group_vars/all/vault.yml'));
      expect(e).to.be.instanceOf(ConfigError);
      expect(e.message).to.match(/^vault group_vars\/all\/vault\.yml: (wrong password|the (salt|HMAC|ciphertext|vault payload) is not hexadecimal)/);
    }
    expect((await rejection(decryptVault(`${ANSIBLE_HEADER};1.1;AES256\nzz\n`, 'x', 'v.yml'))).message).to.equal('vault v.yml: the vault payload is not hexadecimal');
    expect((await rejection(decryptVault(`${ANSIBLE_HEADER};2.0;AES256\n00\n`, 'x', 'v.yml'))).message).to.equal(
      'vault v.yml: vault format version 2.0 is not supported (1.1, 1.2)',
    );
    expect((await rejection(encryptVault('a: 1\n', ''))).message).to.equal('vault: the password is empty');
  });

  it('tries the secrets of the label first, then the others, and names the ids tried when none fits', async () => {
    const labelled = await encryptVault(PLAINTEXT, 'prod pass', 'prod');
    const loads: string[] = [];
    const source = (id: string, password: string) => ({ id, from: `test ${id}`, load: async () => (loads.push(id), password) });
    const ring = new VaultKeyring([source('default', 'correct horse'), source('prod', 'prod pass')]);
    expect(await ring.decrypt(labelled, 'v.yml')).to.equal(PLAINTEXT);
    expect(loads).to.deep.equal(['prod']); // the label's secret only: the other was never read
    const other = new VaultKeyring([source('dev', 'nope'), source('test', 'nope either')]);
    expect((await rejection(other.decrypt(labelled, 'v.yml'))).message).to.equal(
      "vault v.yml (encrypted for vault id 'prod'): wrong password: no vault secret decrypts it (tried vault id 'dev' (test dev), 'test' (test test))",
    );
  });

  it('still opens files of the engine\'s earlier AES-256-GCM format', async () => {
    const legacy = readFileSync('spec/fixtures/vault/legacy-gcm.yml', 'utf8');
    expect(isVaultText(legacy)).to.equal(true);
    expect(await decryptVault(legacy, 'legacy-pw', 'legacy-gcm.yml')).to.include('hacluster_password: legacy-hc-secret');
    expect((await rejection(decryptVault(legacy, 'nope', 'legacy-gcm.yml'))).message).to.equal('vault legacy-gcm.yml: wrong password or corrupted file');
  });

  describe('against the real ansible-vault', function () {
    before(function () {
      requireAnsible(this);
    });

    it('ansible-vault opens what the engine writes (1.1 and 1.2)', async () => {
      const plainFile = join(dir, 'ours-default.yml');
      const labelledFile = join(dir, 'ours-prod.yml');
      writeFileSync(plainFile, await encryptVault(PLAINTEXT, 'correct horse'));
      writeFileSync(labelledFile, await encryptVault(PLAINTEXT, 'prod pass', 'prod'));
      const viewed = ansible('ansible-vault', ['view', plainFile, '--vault-password-file', join(dir, 'pw-default')]);
      expect(viewed.stdout, viewed.stderr).to.equal(PLAINTEXT);
      const both = ansible('ansible-vault', ['view', labelledFile, '--vault-id', `default@${join(dir, 'pw-default')}`, '--vault-id', `prod@${join(dir, 'pw-prod')}`]);
      expect(both.stdout, both.stderr).to.equal(PLAINTEXT);
      const wrong = ansible('ansible-vault', ['view', plainFile, '--vault-password-file', join(dir, 'pw-prod')]);
      expect(wrong.status).to.not.equal(0);
      expect(wrong.stderr).to.include('Decryption failed');
    });

    it('the engine opens what ansible-vault writes (encrypt, create with a label, rekey)', async () => {
      const theirs = join(dir, 'theirs.yml');
      writeFileSync(theirs, PLAINTEXT);
      expect(ansible('ansible-vault', ['encrypt', theirs, '--vault-password-file', join(dir, 'pw-default')]).status).to.equal(0);
      const text = readFileSync(theirs, 'utf8');
      expect(text.split('\n')[0]).to.equal('$ANSIBLE_VAULT;1.1;AES256');
      expect(await decryptVault(text, 'correct horse', theirs)).to.equal(PLAINTEXT);
      const labelled = join(dir, 'theirs-prod.yml');
      writeFileSync(labelled, PLAINTEXT);
      expect(ansible('ansible-vault', ['encrypt', labelled, '--vault-id', `prod@${join(dir, 'pw-prod')}`]).status).to.equal(0);
      const ring = new VaultKeyring(vaultSources({ vaultIds: [`prod@${join(dir, 'pw-prod')}`], env: {} }));
      expect(vaultIdOf(readFileSync(labelled, 'utf8'))).to.equal('prod');
      expect(await ring.decrypt(readFileSync(labelled, 'utf8'), labelled)).to.equal(PLAINTEXT);
      // A script as the password source, as Ansible runs it.
      const script = join(dir, 'pw.sh');
      writeFileSync(script, '#!/bin/sh\necho "correct horse"\n');
      chmodSync(script, 0o700);
      const viaScript = new VaultKeyring(vaultSources({ passwordFiles: [script], env: {} }));
      expect(await viaScript.decrypt(text, theirs)).to.equal(PLAINTEXT);
    });
  });
});
