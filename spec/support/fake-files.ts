// Serve the modules' file probes (modules/lib/remote-file.ts) from a FakeConnection's files map, so
// module specs read the state that earlier puts wrote: a second run then sees the first run's result.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse } from 'shell-quote';
import type { FakeConnection, FakeFile } from '../../engine/connection/fake';

export interface ServeOptions {
  /** Directories that do not exist (for "parent missing" cases); every other parent does. */
  readonly missingDirs?: readonly string[];
  /** Paths that exist as directories. */
  readonly dirs?: readonly string[];
}

/** The probe's output for one file, as the real script prints it. */
export function renderProbe(tag: string, filePath: string, file: FakeFile | undefined, depth: 'meta' | 'hash' | 'content', opts: ServeOptions = {}): string {
  if (opts.dirs?.includes(filePath)) return `${tag}.stat=directory|755|0|0|root|root|4096\n${tag}.real=${filePath}\n`;
  if (!file) {
    const parentOk = !opts.missingDirs?.includes(path.posix.dirname(filePath));
    return `${tag}.stat=absent\n${parentOk ? `${tag}.real=${filePath}\n${tag}.parent=dir\n` : ''}`;
  }
  const mode = (file.mode ?? 0o644).toString(8);
  const owner = file.owner ?? 'root';
  const group = file.group ?? 'root';
  const uid = owner === 'root' ? 0 : 1000;
  const gid = group === 'root' ? 0 : 1000;
  const type = file.content.length ? 'regular file' : 'regular empty file';
  let out = `${tag}.stat=${type}|${mode}|${uid}|${gid}|${owner}|${group}|${file.content.length}\n${tag}.real=${filePath}\n`;
  if (depth !== 'meta') out += `${tag}.sha256=${createHash('sha256').update(file.content).digest('hex')}\n`;
  if (depth === 'content') out += `${tag}.b64=${file.content.toString('base64')}\n`;
  return out;
}

/** The path a probe script is about: its first line is `p='PATH'`. */
export function probedPath(cmd: string): string | undefined {
  const first = cmd.split('\n')[0] ?? '';
  if (!first.startsWith('p=')) return undefined;
  const words = parse(first.slice(2));
  return typeof words[0] === 'string' ? words[0] : undefined;
}

/** Answer every stand-alone file probe from conn.files (register before more specific rules). */
export function serveFiles(conn: FakeConnection, opts: ServeOptions = {}): FakeConnection {
  return conn.on(
    (cmd) => probedPath(cmd) !== undefined && cmd.includes('f.stat=absent'),
    (cmd, _o, host) => {
      const p = probedPath(cmd)!;
      const depth = cmd.includes('base64 -w0') ? 'content' : cmd.includes('sha256sum') ? 'hash' : 'meta';
      return { stdout: renderProbe('f', p, host.files.get(p), depth, opts) };
    },
  );
}

/** Commands other than file probes, for asserting what a module changed. */
export function changingCommands(conn: FakeConnection): string[] {
  return conn.commands.filter((c) => probedPath(c) === undefined);
}

export const puts = (conn: FakeConnection): Array<{ path: string; content: string }> =>
  conn.ops.flatMap((o) => (o.kind === 'put' ? [{ path: o.path, content: o.content }] : []));
