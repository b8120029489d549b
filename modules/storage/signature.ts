// What a block device holds, from `blkid -p` (low-level probe, no cache): the basis of every guard that
// keeps mkfs, DRBD create-md and VDO create off a device with data on it.
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { probe } from '../lib/exec';

export interface Signature {
  /** TYPE (xfs, ext4, drbd, LVM2_member, vdo...) or PTTYPE for a partition table. */
  readonly type: string;
  /** USAGE: filesystem, raid, crypto, other; 'partition table' for PTTYPE. */
  readonly usage: string;
  /** The raw `KEY=value` lines, for messages. */
  readonly raw: string;
}

/** blkid -p -o export: exit 2 means nothing found; exit 8 an ambivalent probe (several signatures). */
export function parseBlkid(code: number, stdout: string): Signature | undefined | 'ambivalent' {
  if (code === 2) return undefined;
  if (code === 8) return 'ambivalent';
  const kv = new Map(
    stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const type = kv.get('TYPE') ?? (kv.has('PTTYPE') ? kv.get('PTTYPE')! : '');
  if (!type) return undefined;
  return { type, usage: kv.get('USAGE') ?? (kv.has('PTTYPE') ? 'partition table' : 'unknown'), raw: stdout.trim() };
}

/** The device's signature, undefined when blank. Fails when the device is missing or unreadable. */
export async function deviceSignature(ctx: ModuleContext, device: string): Promise<Signature | undefined> {
  const exists = await probe(ctx, sh`test -e ${device}`);
  if (exists.code !== 0) throw new ModuleError(`${device} does not exist on ${ctx.host}`);
  const r = await probe(ctx, sh`blkid -p -o export ${device}`);
  const sig = parseBlkid(r.code, r.stdout);
  if (sig === 'ambivalent') {
    const w = await probe(ctx, sh`wipefs -n ${device}`);
    return { type: 'several signatures', usage: 'ambivalent', raw: w.stdout.trim() || r.stderr.trim() };
  }
  if (sig === undefined && r.code !== 2 && r.code !== 0) {
    throw new ModuleError(`cannot probe ${device} on ${ctx.host}: blkid exited ${r.code}: ${r.stderr.trim()}`, r);
  }
  return sig;
}

export function describeSignature(s: Signature): string {
  if (s.usage === 'ambivalent') return `several signatures (${s.raw.split('\n').slice(0, 4).join('; ')})`;
  // "an ext4", "an xfs", "a vfat": the article goes by how the type name is read out.
  const article = /^([aeiou]|xfs|lvm|ntfs)/i.test(s.type) ? 'an' : 'a';
  return `${article} ${s.type} ${s.usage} signature`;
}

/** drbdmeta asks for confirmation unless the first 68 KiB are zero (SO_MUCH in drbd-utils' drbdmeta.c). */
export const DRBDMETA_PROBE_BYTES = 68 * 1024;

/**
 * Whether the first `bytes` of the device are all zero. blkid names what it recognises; this catches what
 * it does not (a filesystem whose magic wipefs erased, raw data), which drbdmeta would still ask about.
 */
export async function leadingBytesZero(ctx: ModuleContext, device: string, bytes: number): Promise<boolean> {
  const r = await probe(ctx, sh`cmp -s -n ${String(bytes)} -- ${device} /dev/zero`);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new ModuleError(`cannot read ${device} on ${ctx.host}: cmp exited ${r.code}: ${r.stderr.trim()}`, r);
}
