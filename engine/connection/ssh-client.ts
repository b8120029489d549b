// Opens the ssh2 client for one host: host key check against known_hosts, login, keepalive, and
// error events turned into one rejection (before login) or one "lost" callback (after it).
import type { Client } from 'ssh2';
import type { AuthPlan } from './ssh-auth';
import type { SshSettings } from './ssh-settings';
import {
  blobKeyType,
  entriesFor,
  fingerprint,
  hostKeyAlgorithms,
  keyTypeLabel,
  knownHostsName,
  readKnownHosts,
  recordHostKey,
  verifyHostKey,
} from './known-hosts';
import { ssh2 } from './ssh2-lazy';

/** A dead peer is noticed after about a minute of silence even when no command is running. */
const KEEPALIVE_MS = 15000;
const KEEPALIVE_MISSES = 4;

class HostKeyError extends Error {}

/** The host key message when the connection failed on the host key check. */
export function hostKeyProblem(e: unknown): string | undefined {
  return e instanceof HostKeyError ? e.message : undefined;
}

export function openClient(s: SshSettings, auth: AuthPlan, onLost: (why: string) => void): Promise<Client> {
  return new Promise<Client>((resolve, reject) => {
    const name = knownHostsName(s.address, s.port);
    let entries: ReturnType<typeof readKnownHosts>;
    try {
      entries = readKnownHosts(s.knownHostsFile);
    } catch (e) {
      return reject(new HostKeyError(`cannot read known hosts file ${s.knownHostsFile}: ${(e as Error).message}`));
    }
    let keyProblem: string | undefined;
    let lastError: Error | undefined;
    let ready = false;
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      reject(keyProblem ? new HostKeyError(keyProblem) : e);
    };

    const hostVerifier = (key: Buffer): boolean => {
      const verdict = verifyHostKey(entries, name, key);
      const offered = `${keyTypeLabel(blobKeyType(key))} key ${fingerprint(key)}`;
      const file = s.knownHostsFile;
      switch (verdict.kind) {
        case 'known':
          return true;
        case 'revoked':
          keyProblem = `host key of ${name} (${offered}) is marked @revoked in ${file}:${verdict.entry.line}`;
          return false;
        case 'changed':
          keyProblem =
            `HOST KEY CHANGED for ${name}: the server offers ${offered}, but ${file}:${verdict.entry.line} ` +
            `records a different ${keyTypeLabel(verdict.entry.keyType)} key. Someone may be intercepting the ` +
            `connection, or the host was reinstalled; if you can confirm the new key, remove the old entry ` +
            `(ssh-keygen -R '${name}' -f ${file}) and rerun.`;
          return false;
        case 'unknown':
          if (s.acceptNewHostKeys) {
            try {
              recordHostKey(file, name, key);
              return true;
            } catch (e) {
              keyProblem = `cannot record the host key of ${name} in ${file}: ${(e as Error).message}`;
              return false;
            }
          }
          keyProblem =
            `unknown host key for ${name}: ${offered} is not in ${file}. Check the fingerprint ` +
            `(on the host: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then rerun with ` +
            `--accept-new-host-keys to record it.`;
          return false;
      }
    };

    const client = new (ssh2().Client)();
    client.on('error', (e: Error & { level?: string }) => {
      lastError = e;
      if (e.level === 'agent') return; // ssh2 goes on with the next method
      if (!ready) {
        fail(e);
        client.end();
      }
    });
    client.on('ready', () => {
      ready = true;
      settled = true;
      resolve(client);
    });
    client.on('close', () => {
      if (!ready) return fail(lastError ?? new Error('connection closed during the SSH handshake'));
      onLost(lastError?.message ?? 'closed by the server');
    });
    try {
      client.connect({
        host: s.address,
        port: s.port,
        username: s.user,
        readyTimeout: s.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: KEEPALIVE_MISSES,
        hostVerifier,
        authHandler: auth.handler,
        algorithms: { serverHostKey: hostKeyAlgorithms(entriesFor(entries, name)) },
      });
      // Every exec is a few small packets (open, request, close): with Nagle on, each waits ~40 ms for a
      // delayed ACK. Measured by bench/: one exec round trip 48 ms with Nagle, 5 ms without.
      client.setNoDelay(true);
    } catch (e) {
      fail(e as Error);
    }
  });
}
