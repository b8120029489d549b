// A small filesystem behind a FakeConnection for module specs: the modules' file state scripts
// (modules/lib/remote-file.ts) are answered from it, put() writes into it (conn.files), and the
// attribute/creation commands the file modules issue (mkdir, touch, chmod, chown, rm, ln) change it.
// So a second run sees the first run's result, as on a real host.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse } from 'shell-quote';
import type { FakeConnection, FakeFile } from './fake-connection';

export interface FakeNode {
  mode: number;
  owner: string;
  group: string;
}

export interface FakeFs {
  /** Directories that exist (every parent of a file is assumed to exist unless in missingDirs). */
  readonly dirs: Map<string, FakeNode>;
  /** Symlinks: path -> target. */
  readonly links: Map<string, string>;
  /** Directories that do not exist, for "parent missing" cases. */
  readonly missingDirs: Set<string>;
}

const ids = (name: string): number => (name === 'root' ? 0 : /^\d+$/.test(name) ? Number(name) : 1000);

/** One request of a file state script (modules/lib/remote-file.ts), as the fake reads it back from the script. */
interface ScriptRequest {
  readonly path: string;
  readonly follow: boolean;
  hash: boolean;
  /** Content limit when the bytes are asked for. */
  max?: number;
}

/** What the fake filesystem holds at a path, as `stat` (following links or not) and `readlink -f` see it. */
type Seen =
  | { readonly kind: 'absent'; readonly real?: string }
  | { readonly kind: 'present'; readonly stat: string; readonly real: string; readonly link?: string; readonly regular: boolean; readonly content?: Buffer };

function seen(filePath: string, files: ReadonlyMap<string, FakeFile>, fsx: FakeFs, follow: boolean): Seen {
  const statOf = (type: string, node: FakeNode, size: number): string =>
    `${type}|${node.mode.toString(8)}|${ids(node.owner)}|${ids(node.group)}|${node.owner}|${node.group}|${size}`;
  const link = fsx.links.get(filePath);
  if (link !== undefined) {
    const target = path.posix.resolve(path.posix.dirname(filePath), link);
    if (!follow) return { kind: 'present', stat: statOf('symbolic link', { mode: 0o777, owner: 'root', group: 'root' }, link.length), real: target, link, regular: false };
    return seen(target, files, fsx, follow);
  }
  const dir = fsx.dirs.get(filePath);
  if (dir) return { kind: 'present', stat: statOf('directory', dir, 4096), real: filePath, regular: false };
  const file = files.get(filePath);
  if (!file) return { kind: 'absent', real: fsx.missingDirs.has(path.posix.dirname(filePath)) ? undefined : filePath };
  const node = { mode: file.mode ?? 0o644, owner: file.owner ?? 'root', group: file.group ?? 'root' };
  return { kind: 'present', stat: statOf(file.content.length ? 'regular file' : 'regular empty file', node, file.content.length), real: filePath, regular: true, content: file.content };
}

/** The tag and requests of a file state script, or undefined for any other command. */
function fileStateRequests(cmd: string): { readonly tag: string; readonly requests: Map<number, ScriptRequest> } | undefined {
  const head = /^cd \/ \|\| exit 1\n([a-z][a-z0-9_]*)_real\(\) \{/.exec(cmd);
  if (!head) return undefined;
  const tag = head[1]!;
  const requests = new Map<number, ScriptRequest>();
  let current = '';
  for (const line of cmd.split('\n')) {
    if (line.startsWith('p=')) {
      const w = parse(line.slice(2));
      current = typeof w[0] === 'string' ? w[0] : '';
      continue;
    }
    const mark = new RegExp(`echo ${tag}(\\d+)\\.([eEh])\\b`).exec(line);
    const b64 = new RegExp(`-le (\\d+) \\].*'${tag}(\\d+)\\.b64=`).exec(line);
    if (mark) {
      const i = Number(mark[1]);
      if (mark[2] === 'h') requests.get(i)!.hash = true;
      else requests.set(i, { path: current, follow: mark[2] === 'e', hash: false });
    } else if (b64) requests.get(Number(b64[2]))!.max = Number(b64[1]);
  }
  return { tag, requests };
}

/** What the file state script prints for `requests` on the fake filesystem. */
export function renderFileState(tag: string, requests: ReadonlyMap<number, ScriptRequest>, files: ReadonlyMap<string, FakeFile>, fsx: FakeFs): string {
  const out: string[] = [];
  const states = new Map([...requests].map(([i, r]) => [i, seen(r.path, files, fsx, r.follow)] as const));
  for (const follow of [true, false]) {
    const stats: string[] = [];
    for (const [i, r] of requests) {
      if (r.follow !== follow) continue;
      const s = states.get(i)!;
      if (s.kind === 'absent') out.push(`${tag}${i}.stat=absent`, ...(s.real ? [`${tag}${i}.real=${s.real}`, `${tag}${i}.parent=dir`] : []));
      else {
        out.push(`${tag}${i}.${follow ? 'e' : 'E'}`, `${tag}${i}.real=${s.real}`, ...(s.link !== undefined ? [`${tag}${i}.link=${s.link}`] : []));
        stats.push(s.stat);
      }
    }
    if (stats.length) out.push(`${tag}.stat-${follow ? 'L' : 'P'}:`, ...stats);
  }
  const sums: string[] = [];
  for (const [i, r] of requests) {
    const s = states.get(i)!;
    if (!r.hash || s.kind !== 'present' || !s.regular) continue;
    out.push(`${tag}${i}.h`);
    sums.push(`${createHash('sha256').update(s.content!).digest('hex')}  ${r.path}`);
  }
  if (sums.length) out.push(`${tag}.sums:`, ...sums);
  for (const [i, r] of requests) {
    const s = states.get(i)!;
    if (r.max !== undefined && s.kind === 'present' && s.regular && s.content!.length <= r.max) out.push(`${tag}${i}.b64=${s.content!.toString('base64')}`);
  }
  return out.map((l) => `${l}\n`).join('');
}

/** The output of a file state script embedded in `cmd` (selinux reads its config file alongside getenforce). */
export function renderFileStateOf(cmd: string, files: ReadonlyMap<string, FakeFile>, fsx: FakeFs): string {
  const at = cmd.indexOf('cd / || exit 1\n');
  const found = at < 0 ? undefined : fileStateRequests(cmd.slice(at));
  return found ? renderFileState(found.tag, found.requests, files, fsx) : '';
}

/** Whether the command reads file states only (a file state script). */
export function isFileState(cmd: string): boolean {
  return fileStateRequests(cmd) !== undefined;
}

/** Apply one simple command (argv) to the fake filesystem; false when it is not one we emulate. */
function applyCommand(argv: string[], conn: FakeConnection, fsx: FakeFs): boolean {
  const [cmd, ...rest] = argv;
  const args = rest.filter((a) => a !== '--');
  const setAttr = (p: string, f: (n: FakeNode) => void): void => {
    const d = fsx.dirs.get(p);
    if (d) return f(d);
    const file = conn.files.get(p);
    if (!file) throw new Error(`fake fs: no ${p}`);
    const node = { mode: file.mode ?? 0o644, owner: file.owner ?? 'root', group: file.group ?? 'root' };
    f(node);
    Object.assign(file, node);
  };
  switch (cmd) {
    case 'mkdir':
      fsx.dirs.set(args[args.length - 1]!, { mode: 0o755, owner: 'root', group: 'root' });
      return true;
    case 'touch':
      if (!conn.files.has(args[0]!)) conn.files.set(args[0]!, { content: Buffer.alloc(0), mode: 0o644, owner: 'root', group: 'root' });
      return true;
    case 'chmod':
      setAttr(args[1]!, (n) => (n.mode = Number.parseInt(args[0]!, 8)));
      return true;
    case 'chown': {
      const [spec, p] = args[0] === '-h' ? [args[1]!, args[2]!] : [args[0]!, args[1]!];
      const [owner, group] = spec.split(':');
      if (fsx.links.has(p)) return true;
      setAttr(p, (n) => {
        if (owner) n.owner = owner;
        if (group !== undefined) n.group = group;
      });
      return true;
    }
    case 'rm':
    case 'rmdir': {
      for (const p of args.filter((a) => !a.startsWith('-'))) {
        fsx.dirs.delete(p);
        fsx.links.delete(p);
        conn.files.delete(p);
        for (const k of [...conn.files.keys()]) if (k.startsWith(p + '/')) conn.files.delete(k);
      }
      return true;
    }
    case 'ln': {
      const [src, p] = args.filter((a) => !a.startsWith('-'));
      conn.files.delete(p!);
      fsx.links.set(p!, src!);
      return true;
    }
    default:
      return false;
  }
}

/** Install the fake filesystem on a fake host (register before more specific rules: later rules win). */
export function fakeFs(conn: FakeConnection, init: Partial<{ dirs: Record<string, number>; links: Record<string, string>; missingDirs: string[] }> = {}): FakeFs {
  const fsx: FakeFs = {
    dirs: new Map(Object.entries(init.dirs ?? {}).map(([p, mode]) => [p, { mode, owner: 'root', group: 'root' }])),
    links: new Map(Object.entries(init.links ?? {})),
    missingDirs: new Set(init.missingDirs ?? []),
  };
  conn.on(isFileState, (cmd, _o, host) => ({ stdout: renderFileStateOf(cmd, host.files, fsx) }));
  // `a && b && c` of the emulated commands; anything else stays unscripted (exit 127).
  conn.on(
    (cmd) => /^(mkdir|touch|chmod|chown|rm|rmdir|ln) /.test(cmd),
    (cmd, _o, host) => {
      const words = parse(cmd);
      let argv: string[] = [];
      const run = (): boolean => applyCommand(argv, host, fsx);
      for (const w of words) {
        if (typeof w === 'string') argv.push(w);
        else if ('op' in w && w.op === '&&') {
          if (!run()) return { code: 127, stderr: `fake fs: cannot emulate ${argv.join(' ')}` };
          argv = [];
        } else return { code: 127, stderr: `fake fs: unsupported shell syntax in ${cmd}` };
      }
      return run() ? {} : { code: 127, stderr: `fake fs: cannot emulate ${argv.join(' ')}` };
    },
  );
  return fsx;
}

/** Commands other than file probes, for asserting what a module changed. */
export function changingCommands(conn: FakeConnection): string[] {
  return conn.commands.filter((c) => !isFileState(c));
}

export const puts = (conn: FakeConnection) =>
  conn.ops.flatMap((o) => (o.kind === 'put' ? [{ path: o.path, content: o.content, opts: o.opts }] : []));
