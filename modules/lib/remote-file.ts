// Reading a remote file's state in one round trip: type, mode, owner, real path, sha256 and,
// when asked, the bytes (base64, so any content survives the trip through stdout).
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { q } from '../../engine/shell';
import { probe } from '../exec';

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

export interface ProbeOptions {
  /** 'meta': stat only; 'hash': plus sha256 of a regular file; 'content': plus its bytes. */
  readonly depth: 'meta' | 'hash' | 'content';
  /** Follow symlinks (default). The file module looks at links themselves. */
  readonly follow?: boolean;
  /** Larger files come back without content (sha256 only). */
  readonly maxContentBytes?: number;
}

export const DEFAULT_MAX_CONTENT = 16 * 1024 * 1024;

/**
 * A POSIX sh fragment printing `TAG.key=value` lines about PATH. TAG lets several probes share one
 * command (e.g. selinux reads its config file alongside getenforce). Exits 1 when the file exists but
 * cannot be read, leaving the shell's own message on stderr.
 */
export function fileProbeScript(tag: string, path: string, opts: ProbeOptions): string {
  if (!/^[a-z][a-z0-9_]*$/.test(tag)) throw new Error(`bad probe tag ${tag}`);
  const follow = opts.follow ?? true;
  const L = follow ? '-L ' : '';
  const exists = follow ? '[ -e "$p" ]' : '{ [ -e "$p" ] || [ -L "$p" ]; }';
  const lines = [
    `p=${q(path)}`,
    `if ${exists}; then`,
    `  s=$(stat ${L}-c '%F|%a|%u|%g|%U|%G|%s' -- "$p") || exit 1`,
    `  printf '${tag}.stat=%s\\n' "$s"`,
    `  printf '${tag}.real=%s\\n' "$(readlink -f -- "$p")"`,
  ];
  if (!follow) lines.push(`  if [ -L "$p" ]; then printf '${tag}.link=%s\\n' "$(readlink -- "$p")"; fi`);
  if (opts.depth !== 'meta') {
    lines.push(`  if [ -f "$p" ]${follow ? '' : ' && [ ! -L "$p" ]'}; then`);
    lines.push(`    h=$(sha256sum < "$p") || exit 1`, `    printf '${tag}.sha256=%s\\n' "\${h%% *}"`);
    if (opts.depth === 'content') {
      const max = opts.maxContentBytes ?? DEFAULT_MAX_CONTENT;
      lines.push(`    if [ "\${s##*|}" -le ${max} ]; then b=$(base64 -w0 < "$p") || exit 1; printf '${tag}.b64=%s\\n' "$b"; fi`);
    }
    lines.push('  fi');
  }
  lines.push(
    'else',
    `  echo ${tag}.stat=absent`,
    `  r=$(readlink -f -- "$p") && [ -n "$r" ] && printf '${tag}.real=%s\\n' "$r" && [ -d "$(dirname -- "$r")" ] && echo ${tag}.parent=dir`,
    'fi',
    'true',
  );
  return lines.join('\n');
}

/** Parse the `TAG.key=value` lines of one probe out of a command's stdout. */
export function parseFileProbe(tag: string, path: string, stdout: string): RemoteFile {
  const kv = new Map<string, string>();
  const prefix = `${tag}.`;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(prefix.length, eq), line.slice(eq + 1));
  }
  const stat = kv.get('stat');
  if (stat === undefined) throw new ModuleError(`could not read the state of ${path}: the probe printed nothing for it`);
  const realPath = kv.get('real') || path;
  if (stat === 'absent') return { path, realPath, kind: 'absent', parentIsDir: kv.get('parent') === 'dir' };
  // %F|%a|%u|%g|%U|%G|%s; names cannot hold '|', so split from both ends is unambiguous.
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
    sha256: kv.get('sha256'),
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
export async function readRemoteFile(ctx: ModuleContext, path: string, opts: ProbeOptions): Promise<RemoteFile> {
  const r = await probe(ctx, fileProbeScript('f', path, opts));
  if (r.code !== 0) {
    throw new ModuleError(`cannot read ${path} on ${ctx.host} (exit ${r.code}): ${r.stderr.trim().slice(-400) || 'no output'}`, r);
  }
  return parseFileProbe('f', path, r.stdout);
}

/** Whether a wanted owner (name or numeric id) is the file's. */
export function sameOwner(want: string, name: string | undefined, id: number | undefined): boolean {
  return want === name || (/^\d+$/.test(want) && Number(want) === id);
}
