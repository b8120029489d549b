// known_hosts parsing and matching, checked against keys and hashed files made by the real ssh-keygen.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  blobKeyType,
  fingerprint,
  hostKeyAlgorithms,
  knownHostsName,
  readKnownHosts,
  recordHostKey,
  verifyHostKey,
} from '../../../engine/connection/known-hosts';
import { keygen, type KeyPair, type KeyType } from '../../support/sshd';

const run = promisify(execFile);
const blobOf = (k: KeyPair): Buffer => Buffer.from(k.pub.split(' ')[1]!, 'base64');
const line = (host: string, k: KeyPair): string => `${host} ${k.pub.split(' ').slice(0, 2).join(' ')}`;

describe('known_hosts', function () {
  this.timeout(20000);
  let dir: string;
  const keys = {} as Record<KeyType | 'ed25519b', KeyPair>;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-kh-'));
    for (const t of ['ed25519', 'ecdsa', 'rsa'] as const) keys[t] = await keygen(path.join(dir, t), t);
    keys.ed25519b = await keygen(path.join(dir, 'ed25519b'), 'ed25519');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function file(...lines: string[]): Promise<string> {
    const f = path.join(dir, `kh-${Math.random().toString(36).slice(2)}`);
    await fs.writeFile(f, lines.join('\n') + '\n');
    return f;
  }

  it('names hosts like OpenSSH: bare on port 22, [addr]:port otherwise', () => {
    expect(knownHostsName('10.0.0.1', 22)).to.equal('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).to.equal('[10.0.0.1]:2222');
  });

  it('computes the fingerprint ssh-keygen -l prints, for every key type', () => {
    for (const t of ['ed25519', 'ecdsa', 'rsa'] as const) {
      expect(fingerprint(blobOf(keys[t]))).to.equal(keys[t].fingerprint);
    }
    expect(blobKeyType(blobOf(keys.rsa))).to.equal('ssh-rsa');
    expect(blobKeyType(blobOf(keys.ecdsa))).to.equal('ecdsa-sha2-nistp256');
  });

  it('finds plain, bracketed, listed and wildcard entries with their line numbers', async () => {
    const f = await file(
      '# comment',
      '',
      line('web1,10.0.0.5', keys.ed25519),
      line('[10.0.0.6]:2222', keys.ecdsa),
      line('10.0.1.*,!10.0.1.9', keys.rsa),
      'garbage line',
    );
    const entries = readKnownHosts(f);
    expect(entries.map((e) => e.line)).to.deep.equal([3, 4, 5]);
    expect(verifyHostKey(entries, '10.0.0.5', blobOf(keys.ed25519))).to.deep.include({ kind: 'known' });
    expect(verifyHostKey(entries, '[10.0.0.6]:2222', blobOf(keys.ecdsa))).to.deep.include({ kind: 'known' });
    expect(verifyHostKey(entries, '10.0.0.6', blobOf(keys.ecdsa)).kind).to.equal('unknown');
    expect(verifyHostKey(entries, '10.0.1.7', blobOf(keys.rsa)).kind).to.equal('known');
    expect(verifyHostKey(entries, '10.0.1.9', blobOf(keys.rsa)).kind).to.equal('unknown');
  });

  it('matches hashed entries written by ssh-keygen -H', async () => {
    const f = await file(line('[127.0.0.1]:2200', keys.ed25519), line('db1', keys.rsa));
    await run('ssh-keygen', ['-H', '-f', f]);
    expect(readFileSync(f, 'utf8')).to.not.include('db1');
    const entries = readKnownHosts(f);
    expect(verifyHostKey(entries, '[127.0.0.1]:2200', blobOf(keys.ed25519)).kind).to.equal('known');
    expect(verifyHostKey(entries, 'db1', blobOf(keys.rsa)).kind).to.equal('known');
    expect(verifyHostKey(entries, 'db2', blobOf(keys.rsa)).kind).to.equal('unknown');
  });

  it('calls a different key of a known type "changed" (with its line), and a new type "unknown"', async () => {
    const f = await file(line('other', keys.ed25519b), line('h', keys.ed25519));
    const entries = readKnownHosts(f);
    const changed = verifyHostKey(entries, 'h', blobOf(keys.ed25519b));
    expect(changed.kind).to.equal('changed');
    expect(changed.kind === 'changed' && changed.entry.line).to.equal(2);
    expect(verifyHostKey(entries, 'h', blobOf(keys.ecdsa)).kind).to.equal('unknown');
  });

  it('honours @revoked and ignores @cert-authority', async () => {
    const f = await file(`@revoked * ${keys.rsa.pub}`, `@cert-authority * ${keys.ed25519.pub}`);
    const entries = readKnownHosts(f);
    expect(verifyHostKey(entries, 'any', blobOf(keys.rsa)).kind).to.equal('revoked');
    expect(verifyHostKey(entries, 'any', blobOf(keys.ed25519)).kind).to.equal('unknown');
  });

  it('offers the known key types first', async () => {
    const entries = readKnownHosts(await file(line('h', keys.rsa), line('h', keys.ecdsa)));
    const algos = hostKeyAlgorithms(entries);
    expect(algos.slice(0, 4)).to.deep.equal(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
    expect(algos).to.include('ssh-ed25519');
    expect(hostKeyAlgorithms([])[0]).to.equal('ssh-ed25519');
  });

  it('records a key in a new file (0600, directory created) that ssh-keygen -F then finds', async () => {
    const f = path.join(dir, 'new', 'sub', 'known_hosts');
    recordHostKey(f, '[127.0.0.1]:2201', blobOf(keys.ecdsa));
    await fs.appendFile(f, 'tail-without-newline ' + keys.rsa.pub.split(' ').slice(0, 2).join(' '));
    recordHostKey(f, 'h2', blobOf(keys.ed25519));
    expect(statSync(f).mode & 0o777).to.equal(0o600);
    const found = await run('ssh-keygen', ['-F', '[127.0.0.1]:2201', '-f', f]);
    expect(found.stdout).to.include('ecdsa-sha2-nistp256');
    expect(readKnownHosts(f).map((e) => e.line)).to.deep.equal([1, 2, 3]);
  });

  it('treats a missing file as empty', () => {
    expect(readKnownHosts(path.join(dir, 'does-not-exist'))).to.deep.equal([]);
  });
});
