// Values that stand for a secret until it is needed: `!env NAME` (this engine's reference to the environment)
// and Ansible's inline `!vault |` text. A run resolves them after loading (every value read is then marked
// secret); a listing run (--list-hosts, --list-tasks, --list-tags, --syntax-check) defers them and asks for
// no password.
import { ConfigError } from '../errors';
import { Redactor } from '../secrets/redact';
import type { VaultKeyring } from '../vault/keyring';
import { VAULT_PASSWORD_HINT } from '../vault/password';

export class EnvReference {
  constructor(
    readonly name: string,
    /** The variable (or key) it is the value of, for messages. */
    readonly variable: string,
    readonly origin: string,
  ) {}
}

export class InlineVault {
  constructor(
    readonly text: string,
    readonly variable: string,
    readonly origin: string,
  ) {}
}

/** A secret a listing run did not read. Never a value a module sees: runs resolve every secret first. */
export class DeferredSecret {
  constructor(readonly reference: string) {}
}

export interface SecretContext {
  readonly env: NodeJS.ProcessEnv;
  readonly keyring?: VaultKeyring;
  /** Receives every value read from the environment or a vault. */
  readonly secrets: Set<string>;
  /** Leave secrets unread (listing). */
  readonly defer: boolean;
}

export function hasSecretReference(value: unknown): boolean {
  if (value instanceof EnvReference || value instanceof InlineVault) return true;
  if (Array.isArray(value)) return value.some(hasSecretReference);
  if (value !== null && typeof value === 'object' && !(value instanceof DeferredSecret)) return Object.values(value).some(hasSecretReference);
  return false;
}

/** `value` with every reference replaced by what it stands for (or by a DeferredSecret when deferring). */
export async function resolveSecretValues(value: unknown, ctx: SecretContext): Promise<unknown> {
  if (value instanceof EnvReference) {
    const found = ctx.env[value.name];
    if (found === undefined) {
      if (ctx.defer) return new DeferredSecret(`!env ${value.name}`);
      throw new ConfigError(`${value.origin}: ${value.variable}: environment variable ${value.name} is not set (!env ${value.name})`);
    }
    if (found !== '') ctx.secrets.add(found);
    return found;
  }
  if (value instanceof InlineVault) {
    if (ctx.defer) return new DeferredSecret(`!vault at ${value.origin}`);
    if (!ctx.keyring || ctx.keyring.empty) {
      throw new ConfigError(`${value.origin}: ${value.variable} is vault-encrypted (!vault): ${VAULT_PASSWORD_HINT}`);
    }
    const plaintext = await ctx.keyring.decrypt(value.text, `${value.origin} (${value.variable})`);
    if (plaintext !== '') ctx.secrets.add(plaintext);
    return plaintext;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await resolveSecretValues(item, ctx));
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof DeferredSecret)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await resolveSecretValues(item, ctx);
    return out;
  }
  return value;
}

/** Run `work`; a ConfigError it throws is rethrown with every secret known by then masked. */
export function hidingSecrets<T>(secrets: ReadonlySet<string>, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const r = new Redactor();
    secrets.forEach((v) => r.add(v));
    const message = r.redact(e.message);
    throw message === e.message ? e : new ConfigError(message);
  }
}

