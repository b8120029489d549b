// A throwaway MariaDB server for integration specs: temp datadir, unix socket, optional loopback TCP
// port (only for replication between two such servers), stopped and removed afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface ThrowawayMariaDb {
  readonly dir: string;
  readonly socket: string;
  readonly port?: number;
  readonly serverId: number;
  stop(): Promise<void>;
}

export function haveMariaDb(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v mariadbd && command -v mariadb-install-db && command -v mysql && command -v mysqldump'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startMariaDb(opts: { serverId: number; tcp?: boolean; binlogBase?: string }): Promise<ThrowawayMariaDb> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mariadb-'));
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'], {
    stdio: 'ignore',
  });
  const port = opts.tcp ? await freePort() : undefined;
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--socket=${socket}`,
    '--user=root',
    `--server-id=${opts.serverId}`,
    `--log-bin=${path.join(data, opts.binlogBase ?? `server${opts.serverId}-bin`)}`,
    '--binlog-format=ROW',
    '--log-slave-updates',
    `--log-error=${path.join(dir, 'error.log')}`,
    `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    ...(port ? ['--bind-address=127.0.0.1', `--port=${port}`] : ['--skip-networking']),
  ];
  const child: ChildProcess = spawn('mariadbd', args, { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  await waitFor(() => exited || existsSync(socket), `mariadbd socket ${socket}`);
  if (exited) throw new Error(`mariadbd exited at start; see ${path.join(dir, 'error.log')}`);
  return {
    dir,
    socket,
    port,
    serverId: opts.serverId,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await waitFor(() => exited, 'mariadbd to stop');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
