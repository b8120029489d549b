// Mount table queries and safe removal of lab directories (never recurse into a mount).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, STATE_DIR } from './config';
import { must, run } from './proc';

export interface MountEntry {
  readonly source: string;
  readonly target: string;
  readonly fstype: string;
  readonly options: string;
}

// /proc/self/mounts escapes space, tab, newline and backslash as octal.
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export async function mounts(): Promise<MountEntry[]> {
  const text = await fs.readFile('/proc/self/mounts', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [source = '', target = '', fstype = '', options = ''] = line.split(' ');
      return { source: unescape(source), target: unescape(target), fstype, options: unescape(options) };
    });
}

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

export async function mountsUnder(dir: string): Promise<MountEntry[]> {
  const abs = path.resolve(dir);
  return (await mounts()).filter((m) => under(m.target, abs));
}

export async function isMountpoint(dir: string): Promise<boolean> {
  const abs = path.resolve(dir);
  return (await mounts()).some((m) => m.target === abs);
}

/** Unmount everything at or below dir, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 5; pass++) {
    const found = (await mountsUnder(dir)).map((m) => m.target).sort((a, b) => b.length - a.length);
    if (found.length === 0) return;
    for (const target of found) {
      const r = await run(['umount', target]);
      if (r.code !== 0) await run(['umount', '--lazy', target]);
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted under ${dir}: ${left.map((m) => m.target).join(', ')}`);
}

/** rm -rf a lab directory, after making sure nothing is mounted inside it. */
export async function removeTree(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  if (![STATE_DIR, CACHE_DIR].some((root) => abs.startsWith(`${root}/`)))
    throw new Error(`refusing to remove ${abs}: not inside ${STATE_DIR} or ${CACHE_DIR}`);
  await unmountUnder(abs);
  await must(['rm', '-rf', '--one-file-system', '--', abs]);
}
