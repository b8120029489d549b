// put/get over SSH. Atomic writes: a temp file in the target's directory gets content, mode and owner,
// then is renamed over the target. As a non-root user with become, the bytes go through `sudo` on stdin.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { PutOptions } from '../types';
import { ModuleError } from '../errors';
import { sh } from '../shell';
import type { RawResult } from './channel-run';

/** What the file operations need from the connection. */
export interface FileTransport {
  readonly host: string;
  /** True when the login user is the become user (root, usually), so `become` changes nothing. */
  readonly rootLogin: boolean;
  sftp(): Promise<SFTPWrapper>;
  run(command: string, opts: { readonly become?: boolean; readonly stdin?: string | Buffer }): Promise<RawResult>;
}

/** sshd's SSH_FX_NO_SUCH_FILE status, as ssh2 reports it in err.code. */
const NO_SUCH_FILE = 2;
/** Exit code the sudo read script uses for "no such file" (cat itself only ever exits 0 or 1). */
const MISSING = 100;

function call<T = void>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

const isMissing = (e: unknown): boolean => (e as { code?: unknown }).code === NO_SUCH_FILE;

function tempName(target: string): string {
  return posix.join(posix.dirname(target), `.${posix.basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
}

function ownerSpec(opts: PutOptions): string | undefined {
  if (!opts.owner && !opts.group) return undefined;
  return `${opts.owner ?? ''}${opts.group ? ':' + opts.group : ''}`;
}

function failed(t: FileTransport, what: string, e: unknown): ModuleError {
  return new ModuleError(`${what} on ${t.host}: ${e instanceof Error ? e.message : String(e)}`);
}

export async function putFile(t: FileTransport, target: string, content: string | Buffer, opts: PutOptions): Promise<void> {
  const data = Buffer.from(content);
  if (opts.become && !t.rootLogin) return putWithSudo(t, target, data, opts);
  const sftp = await t.sftp();
  const prev = await call<Stats>((cb) => sftp.stat(target, cb)).catch((e: unknown) => {
    if (isMissing(e)) return undefined;
    throw failed(t, `stat ${target}`, e);
  });
  const tmp = tempName(target);
  try {
    await call((cb) => sftp.writeFile(tmp, data, { mode: 0o600, flag: 'wx' }, cb));
  } catch (e) {
    throw failed(t, `write ${tmp}`, e);
  }
  try {
    // Explicit chmod: the mode given at open is reduced by the sftp server's umask.
    await call((cb) => sftp.chmod(tmp, opts.mode ?? (prev ? prev.mode & 0o7777 : 0o644), cb));
    const who = ownerSpec(opts);
    if (who) {
      const r = await t.run(sh`chown ${who} ${tmp}`, { become: opts.become });
      if (r.code !== 0) throw new Error(`chown ${who}: ${r.stderr.toString('utf8').trim()}`);
    } else if (prev) {
      const mine = await call<Stats>((cb) => sftp.stat(tmp, cb));
      if (mine.uid !== prev.uid || mine.gid !== prev.gid) await call((cb) => sftp.chown(tmp, prev.uid, prev.gid, cb));
    }
    await rename(t, sftp, tmp, target);
  } catch (e) {
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw e instanceof ModuleError ? e : failed(t, `put ${target}`, e);
  }
}

async function rename(t: FileTransport, sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  const renamed = await new Promise<boolean>((resolve, reject) => {
    try {
      sftp.ext_openssh_rename(from, to, (err) => (err ? reject(err) : resolve(true)));
    } catch {
      resolve(false); // no posix-rename@openssh.com, and SFTP's own rename refuses to replace a file
    }
  });
  if (renamed) return;
  const r = await t.run(sh`mv -f -- ${from} ${to}`, {});
  if (r.code !== 0) throw new Error(`mv ${from} ${to}: ${r.stderr.toString('utf8').trim()}`);
}

/** One root shell script: mktemp beside the target, cat stdin into it, mode, owner, mv over the target. */
async function putWithSudo(t: FileTransport, target: string, data: Buffer, opts: PutOptions): Promise<void> {
  const template = posix.join(posix.dirname(target), `.${posix.basename(target)}.tmp-XXXXXX`);
  const mode =
    opts.mode !== undefined
      ? sh`chmod ${opts.mode.toString(8)} "$tmp"`
      : sh`if [ -e ${target} ]; then chmod --reference=${target} "$tmp"; else chmod 644 "$tmp"; fi`;
  const who = ownerSpec(opts);
  const owner = who ? sh`chown ${who} "$tmp"` : sh`if [ -e ${target} ]; then chown --reference=${target} "$tmp"; fi`;
  const script = [
    sh`tmp=$(mktemp ${template}) || exit 1`,
    `if cat > "$tmp" && ${mode} && ${owner} && ${sh`mv -f -- "$tmp" ${target}`}; then exit 0; fi`,
    'rm -f -- "$tmp"; exit 1',
  ].join('\n');
  const r = await t.run(script, { become: true, stdin: data });
  if (r.code !== 0) throw new ModuleError(`put ${target} on ${t.host} (sudo) exited ${r.code}: ${r.stderr.toString('utf8').trim()}`);
}

export async function getFile(t: FileTransport, target: string, opts: { readonly become?: boolean }): Promise<Buffer | undefined> {
  if (opts.become && !t.rootLogin) {
    const r = await t.run(sh`[ -e ${target} ] || exit ${MISSING}; exec cat -- ${target}`, { become: true });
    if (r.code === MISSING) return undefined;
    if (r.code !== 0) throw new ModuleError(`read ${target} on ${t.host} (sudo) exited ${r.code}: ${r.stderr.toString('utf8').trim()}`);
    return r.stdout;
  }
  const sftp = await t.sftp();
  try {
    return await call<Buffer>((cb) => sftp.readFile(target, cb));
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw failed(t, `read ${target}`, e);
  }
}
