// Reading remote files' state in one round trip: type, mode, owner, real path, sha256 and, when asked, the
// bytes (base64, so any content survives the trip through stdout). One script for any number of files: one
// stat and one sha256sum over all of them (the shell's builtins find which exist and their real paths), so a
// probe round of twenty file tasks forks two processes, not a hundred. FILE_STATE is that script as a probe
// kind (engine/types.ts): the runner asks every file a round's probes read through it.
import type { ModuleContext, ProbeKind, ProbeRead } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { q } from '../../engine/shell';
import { probe } from './exec';

export type FileKind = 'file' | 'directory' | 'link' | 'other' | 'absent';

export interface RemoteFile {
  /** The path as asked. */
  readonly path: string;
  /** Symlinks resolved when following (`readlink -f`): where a write must go to keep the link. */
  readonly realPath: string;
  readonly kind: FileKind;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Owner and group names (`UNKNOWN` when the id has no name). */
  readonly owner?: string;
  readonly group?: string;
  readonly size?: number;
  /** A symlink's target as stored (not following only). */
  readonly linkTarget?: string;
  readonly sha256?: string;
  /** The bytes; only with depth 'content' and when the file is no larger than the limit. */
  readonly content?: Buffer;
  /** Whether the directory that would hold the file exists (meaningful when absent). */
  readonly parentIsDir: boolean;
}

export interface FileStateOptions {
  /** 'meta': stat only; 'hash': plus sha256 of a regular file; 'content': plus its bytes. */
  readonly depth: 'meta' | 'hash' | 'content';
  /** Follow symlinks (default). The file module looks at links themselves. */
  readonly follow?: boolean;
  /** Larger files come back without content (sha256 only). */
  readonly maxContentBytes?: number;
}

/** One file to read, with how deep. */
export interface FileRequest extends FileStateOptions {
  /** Absolute. */
  readonly path: string;
}

export const DEFAULT_MAX_CONTENT = 16 * 1024 * 1024;

const STAT_FORMAT = `'%F|%a|%u|%g|%U|%G|%s'`;

/**
 * A POSIX sh script printing `TAGi.key=value` lines about requests[i], then the stat and sha256sum output of
 * the files that need them under `TAG.stat-L:`, `TAG.stat-P:` and `TAG.sums:` headers, in the order of the
 * `TAGi.e`, `TAGi.E` and `TAGi.h` lines before them. TAG lets several readers share one command (selinux reads
 * its config file alongside getenforce). Exits 1 when a file exists but cannot be read, leaving the shell's
 * own message on stderr. Uses the positional parameters and changes directory.
 */
export function fileStateScript(tag: string, requests: readonly FileRequest[]): string {
  if (!/^[a-z][a-z0-9_]*$/.test(tag)) throw new Error(`bad file state tag ${tag}`);
  const real = `${tag}_real`;
  const lines = [
    'cd / || exit 1',
    // The real path as `readlink -f` gives it, with builtins when the last component is no symlink; $3: exists.
    `${real}() {`,
    '  case $2 in */|*/.|*/..) ;; *)',
    `    if [ ! -L "$2" ] && cd -P -- "\${2%/*}/" 2>/dev/null; then`,
    `      printf '%s.real=%s\\n' "$1" "\${PWD%/}/\${2##*/}"; [ "$3" = 1 ] || printf '%s.parent=dir\\n' "$1"; cd /; return 0`,
    '    fi;;',
    '  esac',
    `  x=$(readlink -f -- "$2") && [ -n "$x" ] || return 0`,
    `  printf '%s.real=%s\\n' "$1" "$x"; [ "$3" = 1 ] || { [ -d "$(dirname -- "$x")" ] && printf '%s.parent=dir\\n' "$1"; }; return 0`,
    '}',
  ];
  const exists = (r: FileRequest): string => ((r.follow ?? true) ? '[ -e "$p" ]' : '{ [ -e "$p" ] || [ -L "$p" ]; }');
  const regular = (r: FileRequest): string => ((r.follow ?? true) ? '[ -f "$p" ]' : '[ -f "$p" ] && [ ! -L "$p" ]');
  const each = (pick: (r: FileRequest) => boolean, body: (r: FileRequest, t: string) => string[]): void => {
    requests.forEach((r, i) => {
      if (pick(r)) lines.push(`p=${q(r.path)}`, ...body(r, `${tag}${i}`));
    });
  };
  // Which exist, their real paths, and the stat list of each mode (the order the stat lines come in).
  const statList = (follow: boolean, mark: string, header: string): void => {
    lines.push('set --');
    each(
      (r) => (r.follow ?? true) === follow,
      (r, t) => [
        `if ${exists(r)}; then set -- "$@" "$p"; echo ${t}.${mark}; ${real} ${t} "$p" 1`,
        ...((r.follow ?? true) ? [] : [`  if [ -L "$p" ]; then printf '${t}.link=%s\\n' "$(readlink -- "$p")"; fi`]),
        `else echo ${t}.stat=absent; ${real} ${t} "$p" 0; fi`,
      ],
    );
    lines.push(`if [ $# -gt 0 ]; then echo ${tag}.${header}:; stat ${follow ? '-L ' : ''}-c ${STAT_FORMAT} -- "$@" || exit 1; fi`);
  };
  if (requests.some((r) => r.follow ?? true)) statList(true, 'e', 'stat-L');
  if (requests.some((r) => !(r.follow ?? true))) statList(false, 'E', 'stat-P');
  if (requests.some((r) => r.depth !== 'meta')) {
    lines.push('set --');
    each(
      (r) => r.depth !== 'meta',
      (r, t) => [`if ${regular(r)}; then set -- "$@" "$p"; echo ${t}.h; fi`],
    );
    lines.push(`if [ $# -gt 0 ]; then echo ${tag}.sums:; sha256sum -- "$@" || exit 1; fi`);
  }
  each(
    (r) => r.depth === 'content',
    (r, t) => [
      `if ${regular(r)}; then z=$(stat -L -c %s -- "$p") || exit 1`,
      `  if [ "$z" -le ${r.maxContentBytes ?? DEFAULT_MAX_CONTENT} ]; then b=$(base64 -w0 < "$p") || exit 1; printf '${t}.b64=%s\\n' "$b"; fi`,
      'fi',
    ],
  );
  lines.push('true');
  return lines.join('\n');
}

/** Each request's state from the output of fileStateScript(tag, requests). */
export function parseFileState(tag: string, requests: readonly FileRequest[], stdout: string): RemoteFile[] {
  const kv = requests.map(() => new Map<string, string>());
  const order: Record<'e' | 'E' | 'h', number[]> = { e: [], E: [], h: [] };
  const blocks: Record<string, { readonly marks: number[]; readonly key: string }> = {
    [`${tag}.stat-L:`]: { marks: order.e, key: 'stat' },
    [`${tag}.stat-P:`]: { marks: order.E, key: 'stat' },
    [`${tag}.sums:`]: { marks: order.h, key: 'sha256' },
  };
  const lines = stdout.split('\n');
  const indexed = new RegExp(`^${tag}(\\d+)\\.([a-zA-Z0-9]+)(?:=(.*))?$`);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const block = blocks[line];
    if (block) {
      // The lines after a header belong, in order, to the requests marked before it.
      for (const i of block.marks) {
        const row = lines[++n] ?? '';
        kv[i]?.set(block.key, block.key === 'stat' ? row : (/^\\?([0-9a-f]{64})/.exec(row)?.[1] ?? ''));
      }
      continue;
    }
    const m = indexed.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    const key = m[2]!;
    if (!kv[i]) continue;
    if (key === 'e' || key === 'E' || key === 'h') order[key].push(i);
    else if (m[3] !== undefined) kv[i].set(key, m[3]);
  }
  return requests.map((r, i) => toRemoteFile(r.path, kv[i]!));
}

function toRemoteFile(path: string, kv: ReadonlyMap<string, string>): RemoteFile {
  const stat = kv.get('stat');
  if (stat === undefined) throw new ModuleError(`could not read the state of ${path}: the probe printed nothing for it`);
  const realPath = kv.get('real') || path;
  if (stat === 'absent') return { path, realPath, kind: 'absent', parentIsDir: kv.get('parent') === 'dir' };
  // %F|%a|%u|%g|%U|%G|%s; names cannot hold '|', so the split is unambiguous.
  const [type = '', mode = '', uid = '', gid = '', owner = '', group = '', size = ''] = stat.split('|');
  const b64 = kv.get('b64');
  return {
    path,
    realPath,
    kind: kindOf(type),
    mode: Number.parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    owner,
    group,
    size: Number(size),
    linkTarget: kv.get('link'),
    sha256: kv.get('sha256') || undefined,
    content: b64 === undefined ? undefined : Buffer.from(b64, 'base64'),
    parentIsDir: true,
  };
}

function kindOf(statType: string): FileKind {
  if (statType === 'regular file' || statType === 'regular empty file') return 'file';
  if (statType === 'directory') return 'directory';
  if (statType === 'symbolic link') return 'link';
  return 'other';
}

/** One exec: the file's state. Fails (ModuleError with stderr) only when it exists but cannot be read. */
export async function readRemoteFile(ctx: ModuleContext, path: string, opts: FileStateOptions): Promise<RemoteFile> {
  const request = { path, ...opts };
  const r = await probe(ctx, fileStateScript('f', [request]));
  if (r.code !== 0) {
    throw new ModuleError(`cannot read ${path} on ${ctx.host} (exit ${r.code}): ${r.stderr.trim().slice(-400) || 'no output'}`, r);
  }
  return parseFileState('f', [request], r.stdout)[0]!;
}

/** File states as a probe kind: a round's file reads in one script; a file that cannot be read fails them all. */
export const FILE_STATE: ProbeKind<FileRequest, RemoteFile> = {
  name: 'file state',
  key: (r) => JSON.stringify([r.path, r.depth, r.follow ?? true, r.maxContentBytes ?? DEFAULT_MAX_CONTENT]),
  scripts: (requests) => [fileStateScript('f', requests)],
  answers([out], requests) {
    if (!out || out.code !== 0) return requests.map(() => undefined);
    return parseFileState('f', requests, out.stdout).map((value) => ({ value, paths: [...new Set([value.path, value.realPath])] }));
  },
};

/** One file's state as a probe read. */
export function fileRead(request: FileRequest): ProbeRead<FileRequest, RemoteFile> {
  return { kind: FILE_STATE, request };
}

/** Whether a wanted owner (name or numeric id) is the file's. */
export function sameOwner(want: string, name: string | undefined, id: number | undefined): boolean {
  return want === name || (/^\d+$/.test(want) && Number(want) === id);
}
