import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { decryptVault, encryptVault, isVaultText, VAULT_HEADER } from '../../../engine/vault/crypto';

const PLAINTEXT = 'hacluster_password: s3cret\nmariadb_root_password: "r00t: pw"\n'.repeat(8);

async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (e) {
    return e as Error;
  }
  expect.fail('expected a rejection');
}

describe('vault: AES-256-GCM with a scrypt key', () => {
  let sealed: string;
  before(async () => {
    sealed = await encryptVault(PLAINTEXT, 'correct horse');
  });

  it('round-trips the plaintext', async () => {
    expect(await decryptVault(sealed, 'correct horse', 'v.yml')).to.equal(PLAINTEXT);
  });

  it('writes the header line, then base64 of salt|iv|tag|ciphertext wrapped at 80 columns', () => {
    const [header, ...body] = sealed.trimEnd().split('\n');
    expect(header).to.equal('$VPVAULT;1;AES256GCM;SCRYPT');
    expect(body.length).to.be.greaterThan(1);
    for (const line of body.slice(0, -1)) expect(line).to.have.length(80);
    expect(body[body.length - 1]?.length).to.be.within(1, 80);
    const blob = Buffer.from(body.join(''), 'base64');
    expect(blob.length).to.equal(16 + 12 + 16 + Buffer.byteLength(PLAINTEXT));
    expect(sealed).not.to.include('s3cret');
    expect(isVaultText(sealed)).to.equal(true);
    expect(isVaultText(PLAINTEXT)).to.equal(false);
    expect(isVaultText(Buffer.from(sealed))).to.equal(true);
  });

  it('uses a fresh salt and IV each time', async () => {
    const again = await encryptVault(PLAINTEXT, 'correct horse');
    expect(again).not.to.equal(sealed);
    expect(Buffer.from(again.split('\n')[1] ?? '', 'base64').subarray(0, 28)).not.to.deep.equal(
      Buffer.from(sealed.split('\n')[1] ?? '', 'base64').subarray(0, 28),
    );
  });

  it('refuses a wrong password with a ConfigError naming the file', async () => {
    const e = await rejection(decryptVault(sealed, 'wrong horse', 'group_vars/all/vault.yml'));
    expect(e).to.be.instanceOf(ConfigError);
    expect(e.message).to.equal('vault group_vars/all/vault.yml: wrong password or corrupted file');
  });

  it('detects a tampered ciphertext, tag, salt or truncation', async () => {
    const blob = Buffer.from(sealed.split('\n').slice(1).join(''), 'base64');
    const reseal = (b: Buffer) => `${VAULT_HEADER}\n${b.toString('base64')}\n`;
    const flip = (at: number) => {
      const copy = Buffer.from(blob);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      return reseal(copy);
    };
    const variants = [flip(blob.length - 1), flip(30), flip(3), flip(20), reseal(blob.subarray(0, blob.length - 5)), reseal(blob.subarray(0, 20))];
    for (const text of variants) {
      const e = await rejection(decryptVault(text, 'correct horse', 'v.yml'));
      expect(e.message).to.equal('vault v.yml: wrong password or corrupted file');
    }
    const garbled = sealed.replace(/\n([A-Za-z0-9+/]{10})/, '\n!!!!!!!!!!');
    expect((await rejection(decryptVault(garbled, 'correct horse', 'v.yml'))).message).to.equal(
      'vault v.yml: wrong password or corrupted file',
    );
  });

  it('refuses a file whose first line is not the vault header', async () => {
    const other = sealed.replace('$VPVAULT;1;', '$VPVAULT;2;');
    expect((await rejection(decryptVault(other, 'correct horse', 'v.yml'))).message).to.equal(
      "vault v.yml: not a vault file (no '$VPVAULT;1;AES256GCM;SCRYPT' header)",
    );
  });

  it('refuses to encrypt with an empty password', async () => {
    expect((await rejection(encryptVault('a: 1\n', ''))).message).to.equal('vault: the password is empty');
  });
});
