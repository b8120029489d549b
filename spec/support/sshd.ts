// A throwaway OpenSSH server for integration specs: its own host keys, config, authorized keys and
// known_hosts in a temp dir, listening on a free 127.0.0.1 port, run as a child process (needs root).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface KeyPair {
  readonly type: KeyType;
  /** Private key file; the public key is beside it with .pub. */
  readonly file: string;
  /** The .pub line: "ssh-ed25519 AAAA... comment". */
  readonly pub: string;
  /** As `ssh-keygen -lf` prints it: "SHA256:...". */
  readonly fingerprint: string;
}

export interface SshdOptions {
  readonly hostKeyTypes?: readonly KeyType[];
  /** sshd's MaxSessions (channels per connection); OpenSSH's default is 10. */
  readonly maxSessions?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function keygen(file: string, type: KeyType): Promise<KeyPair> {
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  await run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', `spec-${type}`, '-f', file]);
  const pub = (await fs.readFile(`${file}.pub`, 'utf8')).trim();
  const { stdout } = await run('ssh-keygen', ['-l', '-f', `${file}.pub`]);
  return { type, file, pub, fingerprint: stdout.split(' ')[1]! };
}

export class TestSshd {
  private log = '';
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly hostKeys: readonly KeyPair[],
    /** Authorized for root (and any user given to authorize()). */
    readonly clientKey: KeyPair,
    private readonly child: ChildProcess,
  ) {
    child.stderr!.on('data', (b: Buffer) => (this.log += b.toString()));
  }

  static async start(opts: SshdOptions = {}): Promise<TestSshd> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-sshd-'));
    await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
    await fs.mkdir(path.join(dir, 'authorized_keys'));
    const hostKeys = await Promise.all(
      (opts.hostKeyTypes ?? ['ed25519', 'ecdsa']).map((t) => keygen(path.join(dir, `ssh_host_${t}_key`), t)),
    );
    const clientKey = await keygen(path.join(dir, 'client_key'), 'ed25519');
    await fs.writeFile(path.join(dir, 'authorized_keys', 'root'), clientKey.pub + '\n');
    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeys.map((k) => `HostKey ${k.file}`),
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys/%u`,
      'StrictModes no', // the temp dir's parents (/tmp) are world-writable
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      `MaxSessions ${opts.maxSessions ?? 10}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
    ];
    await fs.writeFile(path.join(dir, 'sshd_config'), config.join('\n') + '\n');
    const child = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sshd = new TestSshd(dir, port, hostKeys, clientKey, child);
    await sshd.listening();
    return sshd;
  }

  private listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.log.includes(`Server listening on 127.0.0.1 port ${this.port}`)) {
          this.child.stderr!.off('data', check);
          resolve();
        }
      };
      this.child.stderr!.on('data', check);
      this.child.once('exit', (code) => reject(new Error(`sshd exited ${code} before listening:\n${this.log}`)));
      check();
    });
  }

  /** What sshd logged so far (LogLevel VERBOSE: one "Accepted ..." line per login). */
  get output(): string {
    return this.log;
  }

  /** known_hosts lines for this server, for the given key types (default: all its keys). */
  knownHostsLines(types: readonly KeyType[] = this.hostKeys.map((k) => k.type)): string {
    return this.hostKeys
      .filter((k) => types.includes(k.type))
      .map((k) => `[127.0.0.1]:${this.port} ${k.pub.split(' ').slice(0, 2).join(' ')}\n`)
      .join('');
  }

  async authorize(user: string, key: KeyPair = this.clientKey): Promise<void> {
    await fs.appendFile(path.join(this.dir, 'authorized_keys', user), key.pub + '\n');
  }

  /** SIGKILL sshd and every session process it forked: the connection drops without a goodbye. */
  crash(): void {
    for (const pid of [...descendants(this.child.pid!), this.child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.crash();
      await exited;
    }
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** Every process below `root`, read from /proc (children first is not needed: all get SIGKILL). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}
