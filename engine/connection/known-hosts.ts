// OpenSSH known_hosts: look up a server's host key, record new ones, and explain mismatches.
// Supports plain names, `[host]:port`, comma lists, `*`/`?` wildcards, `!negation`, hashed `|1|salt|hash`
// entries and the @revoked marker (@cert-authority lines are ignored: certificates are not supported).
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ssh2 } from './ssh2-lazy';

export interface KnownHostEntry {
  readonly file: string;
  /** 1-based line number, for messages that point the user at the line to fix. */
  readonly line: number;
  readonly revoked: boolean;
  readonly keyType: string;
  readonly blob: Buffer;
  readonly patterns: string;
}

export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'changed'; readonly entry: KnownHostEntry }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry };

/** The name OpenSSH stores a host under: `addr` on port 22, `[addr]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** `SHA256:` + unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** ED25519 / ECDSA / RSA, as OpenSSH names key types in its messages. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  return keyType;
}

/** ssh2's default host key algorithm order (Node 20 has Ed25519). */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
export type HostKeyAlgorithm = (typeof DEFAULT_HOST_KEY_ALGORITHMS)[number];

/**
 * The host key algorithms to offer, those of keys already known for the host first (as OpenSSH
 * does), so a server with several keys presents the one we can check rather than an "unknown" one.
 */
export function hostKeyAlgorithms(known: readonly KnownHostEntry[]): HostKeyAlgorithm[] {
  const first: HostKeyAlgorithm[] = [];
  for (const e of known) {
    if (e.revoked) continue;
    const algos = e.keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [e.keyType];
    for (const a of DEFAULT_HOST_KEY_ALGORITHMS) if (algos.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

/** Every usable entry of the file (missing file: none). Malformed lines are skipped, as ssh does. */
export function readKnownHosts(file: string): KnownHostEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const entry = parseLine(file, i + 1, raw.trim());
    if (entry) entries.push(entry);
  });
  return entries;
}

function parseLine(file: string, line: number, text: string): KnownHostEntry | undefined {
  if (!text || text.startsWith('#')) return undefined;
  let fields = text.split(/\s+/);
  let revoked = false;
  if (fields[0]?.startsWith('@')) {
    if (fields[0] !== '@revoked') return undefined; // @cert-authority: CA keys are not host keys
    revoked = true;
    fields = fields.slice(1);
  }
  const [patterns, keyType, b64] = fields;
  if (!patterns || !keyType || !b64) return undefined;
  const parsed = ssh2().utils.parseKey(`${keyType} ${b64}`);
  if (parsed instanceof Error) return undefined;
  return { file, line, revoked, keyType: parsed.type, blob: parsed.getPublicSSH(), patterns };
}

/** Entries whose host patterns match `name` (see knownHostsName). */
export function entriesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((e) => hostMatches(e.patterns, name));
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    if (!globMatches(negated ? p.slice(1) : p, name.toLowerCase())) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/** Judge the key a server presented, as OpenSSH does: a known key of the same type that differs is a change. */
export function verifyHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const mine = entriesFor(entries, name);
  const revoked = entries.find((e) => e.revoked && e.blob.equals(blob));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const same = mine.find((e) => !e.revoked && e.blob.equals(blob));
  if (same) return { kind: 'known', entry: same };
  const type = blobKeyType(blob);
  const other = mine.find((e) => !e.revoked && e.keyType === type);
  if (other) return { kind: 'changed', entry: other };
  return { kind: 'unknown' };
}

/** Append `name type base64` (creating the file 0600 and its directory 0700 when missing). */
export function recordHostKey(file: string, name: string, blob: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.appendFileSync(file, `${prefix}${name} ${blobKeyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
