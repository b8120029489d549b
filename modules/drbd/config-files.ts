// Which files drbdadm's default configuration reads and which of them define a resource. /etc/drbd.conf, as
// drbd-utils ship it on Debian and RHEL alike, includes drbd.d/global_common.conf and drbd.d/*.res: one shell
// probe lists those files and greps each for the resource's definition. The includes of a drbd.conf edited
// by hand are not followed. checkConfig() is that configuration with a new resource file in place of one.
import * as path from 'node:path';
import { q } from '../../engine/shell';

export interface DrbdConfigFiles {
  /** The files the default configuration reads, as the probe found them: drbd.conf, global_common.conf, *.res. */
  readonly read: readonly string[];
  /** Those of them that define the resource asked about. */
  readonly defining: readonly string[];
}

export interface DrbdConfigPaths {
  readonly conf: string;
  readonly dir: string;
  readonly globalCommon: string;
  /** The default file of one resource: drbd.d/NAME.res. */
  resourceFile(name: string): string;
}

/** The paths drbdadm's default configuration is made of, under `etc` (specs run the probe on a temp tree). */
export function drbdConfigPaths(etc = '/etc'): DrbdConfigPaths {
  const dir = `${etc}/drbd.d`;
  return { conf: `${etc}/drbd.conf`, dir, globalCommon: `${dir}/global_common.conf`, resourceFile: (name: string) => `${dir}/${name}.res` };
}

const RESOURCE_LINE = /^[ \t]*resource[ \t]+"?([A-Za-z0-9_.-]+)"?(?=[\s{]|$)/gm;

/** The resources a configuration text defines (`resource NAME {` lines), in order. */
export function resourcesDefined(text: string): string[] {
  return [...text.matchAll(RESOURCE_LINE)].map((m) => m[1]!);
}

/** The same rule as resourcesDefined, as a grep -E pattern for one name (a DRBD_RESOURCE_NAME; `.` is its only metacharacter). */
function definitionPattern(name: string): string {
  return `^[[:space:]]*resource[[:space:]]+"?${name.replaceAll('.', '[.]')}"?([[:space:]{]|$)`;
}

/**
 * One read-only script: `defines FILE` or `reads FILE` for each file the default configuration reads, in
 * drbdadm's order. A file grep cannot read ends it with grep's exit status and message.
 */
export function configScanScript(name: string, etc = '/etc'): string {
  const p = drbdConfigPaths(etc);
  return [
    `for f in ${q(p.conf)} ${q(p.globalCommon)} ${q(p.dir)}/*.res; do`,
    '  [ -f "$f" ] || continue',
    `  if grep -q -E -e ${q(definitionPattern(name))} -- "$f"; then echo "defines $f"`,
    '  else rc=$?; [ "$rc" -eq 1 ] || exit "$rc"; echo "reads $f"; fi',
    'done',
  ].join('\n');
}

export function parseConfigScan(stdout: string): DrbdConfigFiles {
  const lines = stdout.split('\n').flatMap((l) => {
    const m = /^(defines|reads) (\/.*)$/.exec(l);
    return m ? [{ path: m[2]!, defines: m[1] === 'defines' }] : [];
  });
  return { read: lines.map((l) => l.path), defining: lines.filter((l) => l.defines).map((l) => l.path) };
}

/** Whether the default configuration reads `file` (or would, once it exists): `*.res` skips dotfiles. */
export function readByDrbdadm(file: string, etc = '/etc'): boolean {
  const p = drbdConfigPaths(etc);
  if (file === p.conf || file === p.globalCommon) return true;
  const base = path.posix.basename(file);
  return path.posix.dirname(file) === p.dir && base.endsWith('.res') && !base.startsWith('.');
}

/**
 * A drbdadm configuration for `drbdadm -c`: the default one with `scratch` (the new content) in place of
 * `target`, so drbdadm judges the resource among the others (a device minor or port used twice); `target`
 * outside the default configuration is judged alone. Resources drbd.conf itself defines are refused before.
 */
export function checkConfig(files: DrbdConfigFiles, target: string, scratch: string): string {
  const p = drbdConfigPaths();
  let included = [scratch];
  if (readByDrbdadm(target)) {
    const res = new Set(files.read.filter((f) => f !== p.conf && f !== p.globalCommon));
    if (target !== p.conf && target !== p.globalCommon) res.add(target);
    const ordered = [...files.read.filter((f) => f === p.globalCommon), ...[...res].sort()];
    included = ordered.includes(target) ? ordered.map((f) => (f === target ? scratch : f)) : [...ordered, scratch];
  }
  return `# drbdadm's configuration with the new ${target}\n${included.map((f) => `include "${f}";\n`).join('')}`;
}
