// Vault files: AES-256-GCM under a key derived with scrypt from a password.
// Format: the header line, then base64(salt | iv | tag | ciphertext) wrapped at 80 columns.
// The header is authenticated too (GCM additional data), so it cannot be altered unnoticed.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { ConfigError } from '../errors';

export const VAULT_HEADER = '$VPVAULT;1;AES256GCM;SCRYPT';

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** True when the text is a vault file (first line is the header). */
export function isVaultText(text: string | Buffer): boolean {
  const head = (typeof text === 'string' ? text.slice(0, 64) : text.subarray(0, 64).toString('utf8')).split(/\r?\n/)[0];
  return head === VAULT_HEADER;
}

function deriveKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function encryptVault(plaintext: string, password: string): Promise<string> {
  if (password === '') throw new ConfigError('vault: the password is empty');
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await deriveKey(password, salt);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(VAULT_HEADER));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const body = Buffer.concat([salt, iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  const lines = body.match(/.{1,80}/g) ?? [];
  return `${VAULT_HEADER}\n${lines.join('\n')}\n`;
}

/** The plaintext; ConfigError naming `file` when the password is wrong or the file was altered. */
export async function decryptVault(text: string, password: string, file: string): Promise<string> {
  const corrupted = new ConfigError(`vault ${file}: wrong password or corrupted file`);
  const [header, ...rest] = text.split(/\r?\n/);
  if (header !== VAULT_HEADER) throw new ConfigError(`vault ${file}: not a vault file (no '${VAULT_HEADER}' header)`);
  const base64 = rest.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}\s*$/.test(base64)) throw corrupted;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < SALT_BYTES + IV_BYTES + TAG_BYTES) throw corrupted;
  const salt = blob.subarray(0, SALT_BYTES);
  const iv = blob.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const tag = blob.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
  const ciphertext = blob.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES);
  const key = await deriveKey(password, salt);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(VAULT_HEADER));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw corrupted;
  }
}
