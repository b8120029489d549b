import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { readPasswordSource, vaultSources } from '../../../engine/vault/password';

describe('vault: password sources, as Ansible reads them', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpha-pw-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a password file without its surrounding whitespace (Ansible strips it)', () => {
    writeFileSync(join(dir, 'pw'), ' pass phrase \n\n');
    expect(readPasswordSource(join(dir, 'pw'))).to.equal('pass phrase');
  });

  it('runs an executable and takes its output without the line break; a -client script gets --vault-id LABEL', () => {
    writeFileSync(join(dir, 'pw.sh'), '#!/bin/sh\necho " from-script"\n');
    chmodSync(join(dir, 'pw.sh'), 0o700);
    expect(readPasswordSource(join(dir, 'pw.sh'))).to.equal(' from-script');
    writeFileSync(join(dir, 'vault-client.sh'), '#!/bin/sh\n[ "$1" = --vault-id ] && echo "pw-for-$2"\n');
    chmodSync(join(dir, 'vault-client.sh'), 0o700);
    expect(readPasswordSource(join(dir, 'vault-client.sh'), 'prod')).to.equal('pw-for-prod');
    writeFileSync(join(dir, 'fails.sh'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(dir, 'fails.sh'), 0o700);
    expect(() => readPasswordSource(join(dir, 'fails.sh'), 'prod')).to.throw(
      ConfigError,
      `vault password script ${join(dir, 'fails.sh')} (vault id 'prod') failed with exit status 3`,
    );
  });

  it('refuses a missing or empty password file, naming it and its vault id', () => {
    const missing = join(dir, 'nope');
    expect(() => readPasswordSource(missing, 'prod'))
      .to.throw(ConfigError)
      .with.property('message', `vault password file ${missing} (vault id 'prod'): cannot read it (ENOENT)`);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => readPasswordSource(join(dir, 'empty'))).to.throw(ConfigError, `vault password file ${join(dir, 'empty')} (vault id 'default'): the password is empty`);
  });

  it("orders secrets as Ansible does and reads none of them before they are needed", async () => {
    const sources = vaultSources({
      vaultIds: ['prod@/nonexistent/prod', '/nonexistent/plain', 'dev@prompt'],
      passwordFiles: ['/nonexistent/file'],
      askVaultPass: true,
      env: { ANSIBLE_VAULT_IDENTITY_LIST: 'ci@/nonexistent/ci', ANSIBLE_VAULT_PASSWORD_FILE: '/nonexistent/env', VPHA_VAULT_PASSWORD: 'from-env' },
      prompt: async (q) => `typed at ${q}`,
    });
    expect(sources.map((s) => `${s.id} ${s.from}`)).to.deep.equal([
      'ci /nonexistent/ci',
      'prod /nonexistent/prod',
      'default /nonexistent/plain',
      'dev prompt',
      'default /nonexistent/file',
      'default /nonexistent/env',
      'default prompt',
      'default env VPHA_VAULT_PASSWORD',
    ]);
    expect(await sources[3]!.load()).to.equal('typed at Vault password (dev):'); // trimmed, as Ansible strips what is typed
    expect(await sources[7]!.load()).to.equal('from-env');
    expect(() => vaultSources({ vaultIds: ['prod@'], env: {} })).to.throw("--vault-id 'prod@': no password source after '@' (a file or 'prompt')");
  });
});
