// The controller itself as a host (ansible_connection=local): child_process, same contract as SSH, and the
// same script and sudo wrapping (framing.ts), so env, cwd and become mean what they mean over SSH.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection, ExecOptions, ExecResult, HostName, PutOptions } from '../types';
import { sh } from '../shell';
import { innerScript, shellArgv, sudoMode } from './framing';

export class LocalConnection implements Connection {
  /** Become runs a command as it is when this process already is the become user. */
  readonly loginIsBecomeUser: boolean;

  constructor(
    readonly host: HostName,
    /** Whom become runs commands as (sudo -n -u); root by default. */
    private readonly becomeUser = 'root',
  ) {
    this.loginIsBecomeUser = becomeUser === 'root' ? process.getuid?.() === 0 : os.userInfo().username === becomeUser;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // No become password here: sudo -n, as over SSH without one.
    const sudo = sudoMode(opts.become, this.loginIsBecomeUser, undefined);
    const argv = shellArgv(innerScript({ command, env: opts.env, cwd: opts.cwd }), sudo, '', this.becomeUser);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so a timeout kills the whole pipeline
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, opts.timeoutMs)
        : undefined;
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        resolve({
          code: timedOut ? 124 : (code ?? 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8') + (timedOut ? `\ntimed out after ${opts.timeoutMs} ms` : ''),
        });
      });
      child.stdin.on('error', () => undefined); // the command may not read its stdin
      child.stdin.end(opts.stdin ?? '');
    });
  }

  async put(target: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
    const prev = await fs.stat(target).catch(() => undefined);
    await fs.writeFile(tmp, content, { mode: opts.mode ?? (prev ? prev.mode & 0o7777 : 0o644) });
    try {
      if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode);
      if (opts.owner || opts.group) {
        const who = `${opts.owner ?? ''}${opts.group ? ':' + opts.group : ''}`;
        const r = await this.exec(sh`chown ${who} ${tmp}`);
        if (r.code !== 0) throw new Error(`chown ${who} ${target}: ${r.stderr.trim()}`);
      } else if (prev) {
        await fs.chown(tmp, prev.uid, prev.gid);
      }
      await fs.rename(tmp, target);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async get(file: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {}
}
