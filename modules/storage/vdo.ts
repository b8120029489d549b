// vdo: a deduplicating, compressing VDO volume on a device (the how-to puts it on /dev/drbd0).
// RHEL 7/8: the `vdo` manager (`vdo create`, /dev/mapper/NAME, /etc/vdoconf.yml); RHEL 9 and later have
// no manager: LVM-VDO (`lvcreate --type vdo`, /dev/VG/NAME). Chosen from facts, overridable.
// GUARD: a device holding a signature (a filesystem, LVM of another VG...) is refused unless force: true.
import { ConfigError, ModuleError } from '../../engine/errors';
import type { Facts, ModuleContext, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must, probe } from '../lib/exec';
import { describeSignature, deviceSignature } from './signature';
import { forceSetting, type ForceVariable } from '../lib/force-hint';

export interface VdoParams extends ForceVariable {
  /** The volume name (vdo manager name, or the LV name under LVM). */
  readonly name: string;
  /** The backing device, e.g. /dev/drbd0. */
  readonly device: string;
  /** Logical (virtual) size, e.g. "400G". */
  readonly logicalSize: string;
  readonly compression?: boolean;
  readonly deduplication?: boolean;
  /** LVM-VDO only: volume group and pool names (default vg_NAME and NAME_pool). */
  readonly vg?: string;
  readonly pool?: string;
  /** Default: from facts (RedHat < 9: manager; otherwise LVM). */
  readonly implementation?: 'manager' | 'lvm';
  /** Create over a device holding another signature (destroys it). */
  readonly force?: boolean;
}

export interface VdoResult extends ModuleResult {
  /** The block device of the volume: /dev/mapper/NAME (manager) or /dev/VG/NAME (LVM). */
  readonly volume: string;
  readonly implementation: 'manager' | 'lvm';
}

export function vdoImplementation(facts: Facts): 'manager' | 'lvm' {
  return facts.os.family === 'RedHat' && facts.os.major > 0 && facts.os.major < 9 ? 'manager' : 'lvm';
}

const onOff = (b: boolean): string => (b ? 'enabled' : 'disabled');
const yn = (b: boolean): string => (b ? 'y' : 'n');

/** `vdo status --name=NAME` YAML: the volume's settings (keys as printed, e.g. "Compression"). */
export function parseVdoStatus(text: string, name: string): Map<string, string> | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s+${name.replace(/[.]/g, '\\.')}:\\s*$`).test(l));
  if (start < 0) return undefined;
  const indent = (lines[start]!.match(/^\s*/) ?? [''])[0].length;
  const out = new Map<string, string>();
  for (const l of lines.slice(start + 1)) {
    const ind = (l.match(/^\s*/) ?? [''])[0].length;
    if (l.trim() && ind <= indent) break;
    const m = /^\s+([^:]+):\s*(.*)$/.exec(l);
    if (m && ind === indent + 2) out.set(m[1]!.trim(), m[2]!.trim());
  }
  return out;
}

async function runManager(p: VdoParams, ctx: ModuleContext): Promise<VdoResult> {
  const volume = `/dev/mapper/${p.name}`;
  const base = { volume, implementation: 'manager' as const };
  const list = await probe(ctx, 'vdo list --all');
  if (list.code === 127) throw new ModuleError(`the vdo manager is not installed on ${ctx.host}: install the vdo and kmod-kvdo packages`);
  const exists = list.stdout.split('\n').some((l) => l.trim() === p.name);
  const plan: string[] = [];
  const what: string[] = [];
  if (exists) {
    const st = await must(ctx, sh`vdo status --name=${p.name}`);
    const s = parseVdoStatus(st.stdout, p.name);
    if (!s) throw new ModuleError(`\`vdo status --name=${p.name}\` on ${ctx.host} does not describe ${p.name}`);
    const dev = s.get('Storage device');
    if (dev && dev !== p.device) {
      const real = (await probe(ctx, sh`readlink -f ${p.device}`)).stdout.trim();
      if (dev !== real) throw new ModuleError(`VDO volume ${p.name} on ${ctx.host} is on ${dev}, not ${p.device}; remove it or choose another name`);
    }
    for (const [key, want, verb] of [
      ['Compression', p.compression, 'Compression'],
      ['Deduplication', p.deduplication, 'Deduplication'],
    ] as const) {
      if (want !== undefined && s.get(key) !== onOff(want)) {
        plan.push(sh`vdo ${`${want ? 'enable' : 'disable'}${verb}`} --name=${p.name}`);
        what.push(`${want ? 'enable' : 'disable'} ${key.toLowerCase()}`);
      }
    }
  } else {
    const sig = await deviceSignature(ctx, p.device);
    if (sig && !p.force) throw refuse(p, ctx.host, describeSignature(sig));
    plan.push(
      sh`vdo create ${[
        `--name=${p.name}`,
        `--device=${p.device}`,
        `--vdoLogicalSize=${p.logicalSize}`,
        ...(p.compression !== undefined ? [`--compression=${onOff(p.compression)}`] : []),
        ...(p.deduplication !== undefined ? [`--deduplication=${onOff(p.deduplication)}`] : []),
        ...(sig ? ['--force'] : []),
      ]}`,
    );
    what.push(`create VDO ${p.name} on ${p.device}`);
  }
  return apply(ctx, plan, what, base);
}

function refuse(p: VdoParams, host: string, what: string): ModuleError {
  return new ModuleError(
    `refusing to create VDO volume ${p.name} on ${p.device} on ${host}: it holds ${what}; creating the volume would destroy it. ` +
      `Set ${forceSetting('force', p)} to overwrite`,
  );
}

async function apply(ctx: ModuleContext, plan: string[], what: string[], base: { volume: string; implementation: 'manager' | 'lvm' }): Promise<VdoResult> {
  if (!plan.length) return { ...base, changed: false, msg: `VDO volume ${base.volume} as wanted` };
  if (ctx.check) return { ...base, changed: true, msg: `would ${what.join(', ')}` };
  for (const c of plan) await must(ctx, c);
  return { ...base, changed: true, msg: what.join(', ') };
}

/** `lvs --noheadings --separator '|' -o lv_name,segtype,vdo_compression,vdo_deduplication VG`. */
export function parseLvs(text: string): { name: string; segtype: string; compression: string; deduplication: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = '', segtype = '', compression = '', deduplication = ''] = l.split('|').map((x) => x.trim());
      return { name, segtype, compression, deduplication };
    });
}

async function runLvm(p: VdoParams, ctx: ModuleContext): Promise<VdoResult> {
  const vg = p.vg ?? `vg_${p.name}`;
  const pool = p.pool ?? `${p.name}_pool`;
  const base = { volume: `/dev/${vg}/${p.name}`, implementation: 'lvm' as const };
  const plan: string[] = [];
  const what: string[] = [];
  const lvs = await probe(ctx, sh`lvs --noheadings --separator ${'|'} -o ${'lv_name,segtype,vdo_compression,vdo_deduplication'} ${vg}`);
  const rows = lvs.code === 0 ? parseLvs(lvs.stdout) : [];
  const lv = rows.find((r) => r.name === p.name);
  if (lv) {
    if (lv.segtype !== 'vdo') throw new ModuleError(`${vg}/${p.name} on ${ctx.host} is a ${lv.segtype} volume, not VDO`);
    const poolRow = rows.find((r) => r.segtype === 'vdo-pool') ?? lv;
    for (const [key, want] of [
      ['compression', p.compression],
      ['deduplication', p.deduplication],
    ] as const) {
      const have = key === 'compression' ? poolRow.compression : poolRow.deduplication;
      if (want !== undefined && (have === 'enabled' || have === 'y') !== want) {
        plan.push(sh`lvchange ${`--${key}`} ${yn(want)} ${`${vg}/${poolRow.name}`}`);
        what.push(`${want ? 'enable' : 'disable'} ${key}`);
      }
    }
    return apply(ctx, plan, what, base);
  }
  // No LV yet: the device must be blank, or already a PV of our VG (a run interrupted after vgcreate).
  const sig = await deviceSignature(ctx, p.device);
  let haveVg = false;
  if (sig?.type === 'LVM2_member') {
    const pv = await probe(ctx, sh`pvs --noheadings -o vg_name ${p.device}`);
    const pvVg = pv.stdout.trim();
    if (pvVg === vg) haveVg = true;
    else if (!p.force) throw refuse(p, ctx.host, `an LVM physical volume of ${pvVg ? `volume group ${pvVg}` : 'no volume group'}`);
  } else if (sig && !p.force) throw refuse(p, ctx.host, describeSignature(sig));
  if (!haveVg) {
    plan.push(sh`pvcreate ${[...(sig ? ['-ff', '-y'] : []), p.device]}`, sh`vgcreate ${vg} ${p.device}`);
    what.push(`create volume group ${vg} on ${p.device}`);
  }
  plan.push(
    sh`lvcreate ${[
      '--type', 'vdo', '--name', p.name, '--extents', '100%FREE', '--virtualsize', p.logicalSize,
      ...(p.compression !== undefined ? ['--compression', yn(p.compression)] : []),
      ...(p.deduplication !== undefined ? ['--deduplication', yn(p.deduplication)] : []),
      `${vg}/${pool}`,
    ]}`,
  );
  what.push(`create VDO volume ${vg}/${p.name}`);
  return apply(ctx, plan, what, base);
}

export const vdo = defineModule<VdoParams, VdoResult>({
  name: 'vdo',
  checkMode: true,
  describe: (p) => `vdo ${p.name} on ${p.device}`,
  preflight: (p) => {
    if (!/^[A-Za-z0-9_.+-]+$/.test(p.name)) throw new ConfigError(`vdo: invalid volume name ${JSON.stringify(p.name)}`);
    if (!/^\d+(\.\d+)?[KMGTP]?$/i.test(p.logicalSize)) throw new ConfigError(`vdo ${p.name}: logicalSize ${JSON.stringify(p.logicalSize)} is not a size like 400G`);
    if (!p.device.startsWith('/dev/')) throw new ConfigError(`vdo ${p.name}: device must be a /dev path, got ${p.device}`);
  },
  async run(p, ctx) {
    const impl = p.implementation ?? vdoImplementation(ctx.facts);
    return impl === 'manager' ? runManager(p, ctx) : runLvm(p, ctx);
  },
});
