// The vault secrets of one run, tried as Ansible tries them: the secrets whose vault id matches the label a
// 1.2 text names come first, then every other one (Ansible's default, DEFAULT_VAULT_ID_MATCH=false). Each
// secret is read (file, script or prompt) on first need only, so a run that opens no vault asks for nothing.
import { ConfigError } from '../errors';
import { tryPassword, vaultIdOf } from './crypto';
import { VAULT_PASSWORD_HINT, type VaultSecretSource } from './password';

export class VaultKeyring {
  private readonly loaded = new Map<VaultSecretSource, Promise<string>>();

  constructor(readonly sources: readonly VaultSecretSource[]) {}

  get empty(): boolean {
    return this.sources.length === 0;
  }

  /** The plaintext of `text` (from `file`); ConfigError naming the file and the vault ids tried. */
  async decrypt(text: string, file: string): Promise<string> {
    return (await this.open(text, file)).plaintext;
  }

  /** The plaintext and the secret that opened it (edit re-encrypts with that one, as ansible-vault does). */
  async open(text: string, file: string): Promise<{ readonly plaintext: string; readonly id: string; readonly password: string }> {
    if (this.empty) throw new ConfigError(`${file} is vault-encrypted: ${VAULT_PASSWORD_HINT}`);
    const label = vaultIdOf(text);
    const ordered = [...this.sources.filter((s) => s.id === label), ...this.sources.filter((s) => s.id !== label)];
    for (const source of ordered) {
      const password = await this.password(source);
      const attempt = await tryPassword(text, password, file);
      if (attempt.ok) return { plaintext: attempt.plaintext, id: source.id, password };
    }
    const tried = [...new Set(ordered.map((s) => `'${s.id}' (${s.from})`))].join(', ');
    const named = label === undefined ? '' : ` (encrypted for vault id '${label}')`;
    throw new ConfigError(`vault ${file}${named}: wrong password: no vault secret decrypts it (tried vault id ${tried})`);
  }

  /** The secret to encrypt with: the one of vault id `id`; without an id, the only one there is. */
  async encryptionSecret(id?: string): Promise<{ readonly id: string; readonly password: string }> {
    const ids = [...new Set(this.sources.map((s) => s.id))];
    if (id === undefined && ids.length > 1) {
      throw new ConfigError(`the vault ids ${ids.join(', ')} can all encrypt: choose one with --encrypt-vault-id`);
    }
    const source = id === undefined ? this.sources[0] : this.sources.find((s) => s.id === id);
    if (!source) {
      throw new ConfigError(id === undefined ? `no vault password: ${VAULT_PASSWORD_HINT}` : `no vault secret has vault id '${id}' (give --vault-id ${id}@SOURCE)`);
    }
    return { id: source.id, password: await this.password(source) };
  }

  private password(source: VaultSecretSource): Promise<string> {
    let pending = this.loaded.get(source);
    if (!pending) {
      pending = source.load();
      this.loaded.set(source, pending);
    }
    return pending;
  }
}
