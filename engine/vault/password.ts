// Where the vault password comes from: --vault-password-file (a file, or an executable that prints it,
// as in Ansible) or the VPHA_VAULT_PASSWORD environment variable.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../errors';

export const VAULT_PASSWORD_ENV = 'VPHA_VAULT_PASSWORD';
export const VAULT_PASSWORD_HINT = `give the password with --vault-password-file FILE or env ${VAULT_PASSWORD_ENV}`;

export interface VaultPasswordOptions {
  /** --vault-password-file */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The password, or undefined when neither source is given. The file wins over the environment. */
export function readVaultPassword(opts: VaultPasswordOptions): string | undefined {
  const file = opts.file;
  if (file !== undefined) {
    const password = readPasswordFile(file).replace(/\r?\n$/, '');
    if (password === '') throw new ConfigError(`--vault-password-file ${file}: the password is empty`);
    return password;
  }
  const fromEnv = (opts.env ?? process.env)[VAULT_PASSWORD_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function readPasswordFile(file: string): string {
  try {
    if (statSync(file).isFile() && isExecutable(file)) {
      return execFileSync(file, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    }
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ConfigError(`--vault-password-file ${file}: cannot read the password (${reason})`);
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
