import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { readVaultPassword } from '../../../engine/vault/password';

describe('vault: readVaultPassword', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpha-pw-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads --vault-password-file, dropping the final newline only', () => {
    writeFileSync(join(dir, 'pw'), ' pass phrase \n');
    expect(readVaultPassword({ file: join(dir, 'pw'), env: {} })).to.equal(' pass phrase ');
  });

  it('runs an executable password file and uses what it prints (as Ansible)', () => {
    writeFileSync(join(dir, 'pw.sh'), '#!/bin/sh\necho "from-script"\n');
    chmodSync(join(dir, 'pw.sh'), 0o700);
    expect(readVaultPassword({ file: join(dir, 'pw.sh'), env: {} })).to.equal('from-script');
  });

  it('falls back to VPHA_VAULT_PASSWORD; the file wins when both are given', () => {
    expect(readVaultPassword({ env: { VPHA_VAULT_PASSWORD: 'from-env' } })).to.equal('from-env');
    writeFileSync(join(dir, 'pw2'), 'from-file');
    expect(readVaultPassword({ file: join(dir, 'pw2'), env: { VPHA_VAULT_PASSWORD: 'from-env' } })).to.equal('from-file');
    expect(readVaultPassword({ env: {} })).to.equal(undefined);
  });

  it('refuses a missing or empty password file, naming it', () => {
    const missing = join(dir, 'nope');
    expect(() => readVaultPassword({ file: missing, env: {} }))
      .to.throw(ConfigError)
      .with.property('message', `--vault-password-file ${missing}: cannot read the password (ENOENT)`);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => readVaultPassword({ file: join(dir, 'empty'), env: {} })).to.throw(
      ConfigError,
      `--vault-password-file ${join(dir, 'empty')}: the password is empty`,
    );
  });
});
