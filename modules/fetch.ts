// fetch: copy a remote file to the controller (dest/HOST/SRC by default, like Ansible; or exactly
// dest with flat). Written atomically, and only when the bytes differ.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModuleResult } from '../engine/types';
import { ModuleError } from '../engine/errors';
import { defineModule } from './lib/define';
import { absolutePath } from './lib/params';
import { contentDiff, sha256 } from './lib/diff';

export interface FetchParams {
  /** The file on the host. */
  readonly src: string;
  /** A directory on the controller (the file lands in DEST/HOST/SRC), or the file itself with flat. */
  readonly dest: string;
  readonly flat?: boolean;
}

export interface FetchResult extends ModuleResult {
  /** Where the file is on the controller. */
  readonly dest: string;
  readonly sha256: string;
}

export function localTarget(p: FetchParams, host: string): string {
  return p.flat ? path.resolve(p.dest) : path.join(path.resolve(p.dest), host, p.src);
}

async function readLocal(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export const fetch = defineModule<FetchParams, FetchResult>({
  name: 'fetch',
  checkMode: true,
  describe: (p) => `fetch ${p.src} to ${p.dest}`,
  preflight: (p) => void absolutePath(p.src, 'fetch'),
  async run(p, ctx) {
    const target = localTarget(p, ctx.host);
    const data = await ctx.conn.get(p.src, { become: ctx.become });
    if (data === undefined) throw new ModuleError(`${p.src} does not exist on ${ctx.host}`);
    const hash = sha256(data);
    const local = await readLocal(target);
    if (local && sha256(local) === hash) return { changed: false, dest: target, sha256: hash, msg: `${target} is up to date` };
    const diffs = [contentDiff(target, local, data)];
    if (ctx.check) return { changed: true, dest: target, sha256: hash, diffs, msg: `would write ${target}` };
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Unique per call: with flat, several hosts may fetch to the same file at once; rename is atomic.
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await fs.writeFile(tmp, data, { mode: 0o600 });
    await fs.rename(tmp, target);
    return { changed: true, dest: target, sha256: hash, diffs, msg: `fetched ${p.src} to ${target}` };
  },
});
