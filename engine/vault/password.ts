// Where vault passwords come from, as ansible-playbook and ansible-vault take them: --vault-id [label@]source
// (a file, an executable that prints the password, a `*-client` script asked for its label, or `prompt`),
// --vault-password-file FILE (= default@FILE), --ask-vault-pass, ANSIBLE_VAULT_IDENTITY_LIST and
// ANSIBLE_VAULT_PASSWORD_FILE; and this engine's VPHA_VAULT_PASSWORD (the password itself). Nothing is read
// or asked before a vault needs it.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ConfigError } from '../errors';

export const VAULT_PASSWORD_ENV = 'VPHA_VAULT_PASSWORD';
export const VAULT_PASSWORD_HINT =
  `give the password with --vault-id [LABEL@]FILE|prompt, --vault-password-file FILE, --ask-vault-pass, ` +
  `env ANSIBLE_VAULT_PASSWORD_FILE or env ${VAULT_PASSWORD_ENV}`;
export const DEFAULT_VAULT_ID = 'default';

/** One vault secret: its vault id (label), where it comes from, and how to get it (called at most once). */
export interface VaultSecretSource {
  readonly id: string;
  /** For messages: 'prompt', the file, or the environment variable. */
  readonly from: string;
  readonly load: () => Promise<string>;
}

/** Reads a password from the terminal without echo; rejects when there is no terminal. */
export type SecretPrompt = (question: string) => Promise<string>;

export interface VaultOptions {
  /** --vault-id, in order given. */
  readonly vaultIds?: readonly string[];
  /** --vault-password-file, in order given. */
  readonly passwordFiles?: readonly string[];
  readonly askVaultPass?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly prompt?: SecretPrompt;
}

/**
 * The secrets in Ansible's order: ANSIBLE_VAULT_IDENTITY_LIST, --vault-id, --vault-password-file,
 * ANSIBLE_VAULT_PASSWORD_FILE, --ask-vault-pass, then VPHA_VAULT_PASSWORD. A malformed --vault-id is refused here.
 */
export function vaultSources(opts: VaultOptions): VaultSecretSource[] {
  const env = opts.env ?? process.env;
  const fromEnvList = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const slugs = [
    ...fromEnvList,
    ...(opts.vaultIds ?? []),
    ...(opts.passwordFiles ?? []).map((f) => `${DEFAULT_VAULT_ID}@${f}`),
    ...(env.ANSIBLE_VAULT_PASSWORD_FILE ? [`${DEFAULT_VAULT_ID}@${env.ANSIBLE_VAULT_PASSWORD_FILE}`] : []),
    ...(opts.askVaultPass ? [`${DEFAULT_VAULT_ID}@prompt`] : []),
  ];
  const sources = slugs.map((slug) => sourceOf(slug, opts.prompt));
  const literal = env[VAULT_PASSWORD_ENV];
  if (literal !== undefined && literal !== '') {
    sources.push({ id: DEFAULT_VAULT_ID, from: `env ${VAULT_PASSWORD_ENV}`, load: () => Promise.resolve(literal) });
  }
  return sources;
}

function sourceOf(slug: string, prompt: SecretPrompt | undefined): VaultSecretSource {
  const at = slug.indexOf('@');
  const id = at < 0 ? DEFAULT_VAULT_ID : slug.slice(0, at) || DEFAULT_VAULT_ID;
  const where = at < 0 ? slug : slug.slice(at + 1);
  if (where === '') throw new ConfigError(`--vault-id '${slug}': no password source after '@' (a file or 'prompt')`);
  if (where === 'prompt' || where === 'prompt_ask_vault_pass') {
    return {
      id,
      from: 'prompt',
      load: async () => {
        if (!prompt) throw new ConfigError(`vault id '${id}': cannot prompt for its password here`);
        const answer = (await prompt(where === 'prompt' ? `Vault password (${id}): ` : 'Vault password: ')).trim();
        if (answer === '') throw new ConfigError(`vault id '${id}': the password given at the prompt is empty`);
        return answer;
      },
    };
  }
  return { id, from: where, load: () => Promise.resolve(readPasswordSource(where, id)) };
}

/**
 * A password file as Ansible reads it: its content without surrounding whitespace; an executable is run and
 * its output used without the final line break; a `NAME-client` executable is asked `--vault-id LABEL`.
 */
export function readPasswordSource(file: string, id: string = DEFAULT_VAULT_ID): string {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new ConfigError(`vault password file ${file} (vault id '${id}'): cannot read it (${errorCode(e)})`);
  }
  let password: string;
  if (isFile && isExecutable(file)) {
    const client = basename(file, extname(file)).endsWith('-client');
    try {
      const out = execFileSync(file, client ? ['--vault-id', id] : [], { encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'] });
      password = out.replace(/^[\r\n]+|[\r\n]+$/g, '');
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new ConfigError(`vault password script ${file} (vault id '${id}') failed${status === undefined ? `: ${errorCode(e)}` : ` with exit status ${status}`}`);
    }
  } else {
    try {
      password = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(`vault password file ${file} (vault id '${id}'): cannot read it (${errorCode(e)})`);
    }
  }
  if (password === '') throw new ConfigError(`vault password file ${file} (vault id '${id}'): the password is empty`);
  return password;
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
