// Vault data in either format this engine reads: Ansible's (`$ANSIBLE_VAULT;1.1;AES256`, `1.2;AES256;LABEL`,
// ansible-format.ts), which it also writes, and its own earlier AES-256-GCM format (`$VPVAULT;1;AES256GCM;SCRYPT`:
// base64 of salt | iv | tag | ciphertext under a scrypt key, the header authenticated), still read.
import { createDecipheriv, scrypt } from 'node:crypto';
import { ConfigError } from '../errors';
import { decryptAnsible, encryptAnsible, isAnsibleVault, parseEnvelope, VaultFormatError, VaultHmacError } from './ansible-format';

export const LEGACY_VAULT_HEADER = '$VPVAULT;1;AES256GCM;SCRYPT';

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** True when the text is vault data in either format (the first line is a vault header). */
export function isVaultText(text: string | Buffer): boolean {
  const head = typeof text === 'string' ? text.slice(0, 64) : text.subarray(0, 64).toString('latin1');
  return isAnsibleVault(head) || head.split(/\r?\n/)[0] === LEGACY_VAULT_HEADER;
}

/** The vault id a text names in its header (1.2 files), if any. */
export function vaultIdOf(text: string): string | undefined {
  if (!isAnsibleVault(text)) return undefined;
  try {
    return parseEnvelope(text).vaultId;
  } catch {
    return undefined;
  }
}

/** The result of one password against one vault text. */
export type Attempt = { readonly ok: true; readonly plaintext: string } | { readonly ok: false };

/**
 * Try `password` on `text`: ok with the plaintext, not ok when the password does not fit. A text that is not
 * vault data of a known kind, or is damaged beyond what a password explains, throws ConfigError naming `file`.
 */
export async function tryPassword(text: string, password: string, file: string): Promise<Attempt> {
  if (isAnsibleVault(text)) {
    try {
      const plaintext = await decryptAnsible(parseEnvelope(text), password);
      return { ok: true, plaintext: decodeUtf8(plaintext, file) };
    } catch (e) {
      if (e instanceof VaultHmacError) return { ok: false };
      if (e instanceof VaultFormatError) throw new ConfigError(`vault ${file}: ${e.message}`);
      throw e;
    }
  }
  return tryLegacy(text, password, file);
}

/** Decrypt with one password (lab secrets, tests); ConfigError naming `file` when it does not fit. */
export async function decryptVault(text: string, password: string, file: string): Promise<string> {
  const attempt = await tryPassword(text, password, file);
  if (!attempt.ok) throw new ConfigError(`vault ${file}: wrong password or corrupted file`);
  return attempt.plaintext;
}

/** Ansible's format: 1.1, or 1.2 with `vaultId` as its label (any id but 'default'). */
export async function encryptVault(plaintext: string, password: string, vaultId?: string): Promise<string> {
  if (password === '') throw new ConfigError('vault: the password is empty');
  return encryptAnsible(Buffer.from(plaintext, 'utf8'), password, vaultId);
}

function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(`vault ${file}: the plaintext is not UTF-8 text`);
  }
}

function deriveLegacyKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function tryLegacy(text: string, password: string, file: string): Promise<Attempt> {
  const [header, ...rest] = text.split(/\r?\n/);
  if (header !== LEGACY_VAULT_HEADER) {
    throw new ConfigError(`vault ${file}: not a vault file (no '$ANSIBLE_VAULT;1.1;AES256' or '${LEGACY_VAULT_HEADER}' header)`);
  }
  const base64 = rest.join('');
  const blob = /^[A-Za-z0-9+/]*={0,2}\s*$/.test(base64) ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (blob.length < SALT_BYTES + IV_BYTES + TAG_BYTES) return { ok: false };
  const salt = blob.subarray(0, SALT_BYTES);
  const iv = blob.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const tag = blob.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
  const ciphertext = blob.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES);
  const key = await deriveLegacyKey(password, salt);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(LEGACY_VAULT_HEADER));
    decipher.setAuthTag(tag);
    return { ok: true, plaintext: decodeUtf8(Buffer.concat([decipher.update(ciphertext), decipher.final()]), file) };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return { ok: false };
  }
}
