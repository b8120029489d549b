// The lab's secrets, as a user would keep them: random passwords in an encrypted vault file
// (inventory/lab/group_vars/all/vault.yml, not committed) and its password in a 0600 file outside the repo.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { decryptVault, encryptVault } from '../engine/vault/crypto';
import { REPO_ROOT } from './config';

// Outside STATE_DIR: `lab down` wipes that, the vault password must outlive it.
export const LAB_VAULT_PASSWORD_FILE = '/var/lib/vphalab-vault/password';
export const LAB_VAULT_FILE = path.join(REPO_ROOT, 'inventory', 'lab', 'group_vars', 'all', 'vault.yml');

/** Every secret the roles need, by variable name. */
export const SECRET_VARS = ['hacluster_password', 'mariadb_replicator_password', 'vprotect_admin_password'] as const;
export type LabSecrets = Record<(typeof SECRET_VARS)[number], string>;

const newPassword = (): string => randomBytes(18).toString('base64url');

/** Create the vault password and the vault file when missing (idempotent); returns the secrets. */
export async function ensureLabSecrets(): Promise<LabSecrets> {
  mkdirSync(path.dirname(LAB_VAULT_PASSWORD_FILE), { recursive: true, mode: 0o700 });
  if (!existsSync(LAB_VAULT_PASSWORD_FILE)) writeFileSync(LAB_VAULT_PASSWORD_FILE, newPassword() + '\n', { mode: 0o600 });
  const password = readFileSync(LAB_VAULT_PASSWORD_FILE, 'utf8').trim();
  if (existsSync(LAB_VAULT_FILE)) {
    try {
      return parse(await decryptVault(readFileSync(LAB_VAULT_FILE, 'utf8'), password, LAB_VAULT_FILE));
    } catch {
      // A vault from another lab password: replace it (lab hosts are rebuilt with the new secrets).
    }
  }
  const secrets = Object.fromEntries(SECRET_VARS.map((k) => [k, newPassword()])) as LabSecrets;
  const plain = `# lab secrets, made by lab/secrets.ts\n${SECRET_VARS.map((k) => `${k}: ${secrets[k]}`).join('\n')}\n`;
  mkdirSync(path.dirname(LAB_VAULT_FILE), { recursive: true });
  writeFileSync(LAB_VAULT_FILE, await encryptVault(plain, password), { mode: 0o600 });
  return secrets;
}

function parse(plain: string): LabSecrets {
  const vars = YAML.parse(plain) as Partial<Record<string, unknown>>;
  if (SECRET_VARS.some((k) => typeof vars[k] !== 'string')) throw new Error('lab vault lacks a secret');
  return Object.fromEntries(SECRET_VARS.map((k) => [k, vars[k] as string])) as LabSecrets;
}
