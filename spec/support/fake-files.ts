// A small filesystem behind a FakeConnection for module specs: the modules' file probes
// (modules/lib/remote-file.ts) are answered from it, put() writes into it (conn.files), and the
// attribute/creation commands the file modules issue (mkdir, touch, chmod, chown, rm, ln) change it.
// So a second run sees the first run's result, as on a real host.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse } from 'shell-quote';
import type { FakeConnection, FakeFile } from '../../engine/connection/fake';

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

function statLine(tag: string, type: string, node: FakeNode, size: number): string {
  return `${tag}.stat=${type}|${node.mode.toString(8)}|${ids(node.owner)}|${ids(node.group)}|${node.owner}|${node.group}|${size}\n`;
}

/** The probe's output for one path, as the real script prints it. */
export function renderProbe(
  tag: string,
  filePath: string,
  files: ReadonlyMap<string, FakeFile>,
  fsx: FakeFs,
  depth: 'meta' | 'hash' | 'content',
  follow = true,
): string {
  const link = fsx.links.get(filePath);
  if (link !== undefined) {
    const target = path.posix.resolve(path.posix.dirname(filePath), link);
    if (!follow) return `${statLine(tag, 'symbolic link', { mode: 0o777, owner: 'root', group: 'root' }, link.length)}${tag}.real=${target}\n${tag}.link=${link}\n`;
    return renderProbe(tag, target, files, fsx, depth, follow);
  }
  const dir = fsx.dirs.get(filePath);
  if (dir) return `${statLine(tag, 'directory', dir, 4096)}${tag}.real=${filePath}\n`;
  const file = files.get(filePath);
  if (!file) {
    const parentOk = !fsx.missingDirs.has(path.posix.dirname(filePath));
    return `${tag}.stat=absent\n${parentOk ? `${tag}.real=${filePath}\n${tag}.parent=dir\n` : ''}`;
  }
  const node = { mode: file.mode ?? 0o644, owner: file.owner ?? 'root', group: file.group ?? 'root' };
  let out = statLine(tag, file.content.length ? 'regular file' : 'regular empty file', node, file.content.length) + `${tag}.real=${filePath}\n`;
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

function probeDepth(cmd: string): 'meta' | 'hash' | 'content' {
  return cmd.includes('base64 -w0') ? 'content' : cmd.includes('sha256sum') ? 'hash' : 'meta';
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
      const p = args[args.length - 1]!;
      fsx.dirs.delete(p);
      fsx.links.delete(p);
      conn.files.delete(p);
      for (const k of [...conn.files.keys()]) if (k.startsWith(p + '/')) conn.files.delete(k);
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
  conn.on(
    (cmd) => probedPath(cmd) !== undefined && cmd.includes('f.stat=absent'),
    (cmd, _o, host) => ({ stdout: renderProbe('f', probedPath(cmd)!, host.files, fsx, probeDepth(cmd), cmd.includes('stat -L')) }),
  );
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
  return conn.commands.filter((c) => probedPath(c) === undefined);
}

export const puts = (conn: FakeConnection) =>
  conn.ops.flatMap((o) => (o.kind === 'put' ? [{ path: o.path, content: o.content, opts: o.opts }] : []));
