// Ansible's vault format, byte for byte: `$ANSIBLE_VAULT;1.1;AES256` (or `1.2;AES256;LABEL`), then hexlify of
// "hex(salt)\nhex(hmac)\nhex(ciphertext)" in 80-column lines. PBKDF2-HMAC-SHA256 (10000 rounds, 32-byte salt)
// gives 80 bytes: the AES-256-CTR key, the HMAC-SHA256 key and the initial counter. The plaintext is PKCS#7
// padded to 16 bytes before CTR encryption, as Ansible does; the HMAC covers the ciphertext.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export const ANSIBLE_HEADER = '$ANSIBLE_VAULT';
const ITERATIONS = 10000;
const KEY_BYTES = 32;
const IV_BYTES = 16;
const SALT_BYTES = 32;

export interface AnsibleEnvelope {
  readonly version: string;
  readonly cipher: string;
  /** The label of a 1.2 file; undefined for 1.1. */
  readonly vaultId?: string;
  /** The hexlified payload, newlines removed. */
  readonly payload: string;
}

/** Why the text is not vault data of a supported kind; thrown as a plain Error (the caller names the file). */
export class VaultFormatError extends Error {}
/** The HMAC does not match: wrong password (or altered data). */
export class VaultHmacError extends Error {}

export function isAnsibleVault(text: string): boolean {
  return text.startsWith(ANSIBLE_HEADER);
}

export function parseEnvelope(text: string): AnsibleEnvelope {
  const lines = text.split(/\r\n|\r|\n/);
  const header = (lines[0] ?? '').trim().split(';');
  if (header[0] !== ANSIBLE_HEADER || header.length < 3) throw new VaultFormatError(`malformed vault header '${lines[0] ?? ''}'`);
  const version = (header[1] ?? '').trim();
  const cipher = (header[2] ?? '').trim();
  if (version !== '1.1' && version !== '1.2') throw new VaultFormatError(`vault format version ${version} is not supported (1.1, 1.2)`);
  if (cipher !== 'AES256') throw new VaultFormatError(`vault cipher ${cipher} is not supported (AES256)`);
  const vaultId = header.length >= 4 ? (header[3] ?? '').trim() : undefined;
  const payload = lines.slice(1).map((l) => l.trim()).join('');
  return vaultId === undefined ? { version, cipher, payload } : { version, cipher, vaultId, payload };
}

function deriveKeys(password: string, salt: Buffer): Promise<{ key: Buffer; hmacKey: Buffer; iv: Buffer }> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, ITERATIONS, 2 * KEY_BYTES + IV_BYTES, 'sha256', (err, derived) => {
      if (err) return reject(err);
      resolve({
        key: derived.subarray(0, KEY_BYTES),
        hmacKey: derived.subarray(KEY_BYTES, 2 * KEY_BYTES),
        iv: derived.subarray(2 * KEY_BYTES),
      });
    });
  });
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function unhexlify(text: string, what: string): Buffer {
  if (!HEX.test(text)) throw new VaultFormatError(`the ${what} is not hexadecimal`);
  return Buffer.from(text, 'hex');
}

/** The plaintext bytes; VaultHmacError when the password does not fit. */
export async function decryptAnsible(envelope: AnsibleEnvelope, password: string): Promise<Buffer> {
  const inner = unhexlify(envelope.payload, 'vault payload').toString('latin1');
  const [saltHex = '', hmacHex = '', cipherHex = ''] = splitOnce(inner);
  const salt = unhexlify(saltHex, 'salt');
  const expected = unhexlify(hmacHex, 'HMAC');
  const ciphertext = unhexlify(cipherHex, 'ciphertext');
  const { key, hmacKey, iv } = await deriveKeys(password, salt);
  const actual = createHmac('sha256', hmacKey).update(ciphertext).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new VaultHmacError('HMAC verification failed');
  const decipher = createDecipheriv('aes-256-ctr', key, iv);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new VaultFormatError('invalid padding');
  }
  return padded.subarray(0, padded.length - pad);
}

/** "salt\nhmac\nciphertext": the ciphertext part may not contain a newline, so split on the first two. */
function splitOnce(inner: string): string[] {
  const first = inner.indexOf('\n');
  const second = first < 0 ? -1 : inner.indexOf('\n', first + 1);
  if (first < 0 || second < 0) throw new VaultFormatError('the vault payload lacks its salt/HMAC/ciphertext lines');
  return [inner.slice(0, first), inner.slice(first + 1, second), inner.slice(second + 1)];
}

/** The file text ansible-vault writes: 1.1 without a label (or 'default'), 1.2 with one. */
export async function encryptAnsible(plaintext: Buffer, password: string, vaultId?: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { key, hmacKey, iv } = await deriveKeys(password, salt);
  const pad = 16 - (plaintext.length % 16);
  const padded = Buffer.concat([plaintext, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const inner = `${salt.toString('hex')}\n${hmac.toString('hex')}\n${ciphertext.toString('hex')}`;
  const payload = Buffer.from(inner, 'latin1').toString('hex');
  const labelled = vaultId !== undefined && vaultId !== '' && vaultId !== 'default';
  const header = labelled ? `${ANSIBLE_HEADER};1.2;AES256;${vaultId}` : `${ANSIBLE_HEADER};1.1;AES256`;
  const lines = payload.match(/.{1,80}/g) ?? [];
  return `${[header, ...lines].join('\n')}\n`;
}
