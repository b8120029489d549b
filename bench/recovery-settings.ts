// The settings that bound each recovery phase, read from the live cluster once per run so the report can name
// their values next to the phases they govern: corosync's token and consensus, DRBD's net timeouts, and every
// primitive's monitor interval, start/stop timeouts and parameters (ping's dampen) from the CIB. Pure parsing.
import { parseSections, sectionsScript } from '../engine/connection/framing';
import { sh } from '../engine/shell';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../modules/lib/xml';
import { COROSYNC_CONF } from '../modules/pcs/corosync-conf';
import { DRBD_RESOURCE } from './recovery-probe';

export interface Setting {
  /** Milliseconds; undefined when it could not be read. */
  readonly ms?: number;
  /** Where the value came from (a cmap key, a file, "DRBD's default"). */
  readonly from: string;
}

export interface ResourceSettings {
  readonly monitorInterval?: string;
  readonly startTimeout?: string;
  readonly stopTimeout?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Settings {
  readonly token: Setting;
  readonly consensus: Setting;
  readonly drbd: { readonly pingInt: Setting; readonly pingTimeout: Setting; readonly timeout: Setting; readonly connectInt: Setting };
  /** By primitive id (replicate, ping, fs_resource, vProtect-server, ...). */
  readonly resources: ReadonlyMap<string, ResourceSettings>;
}

const CMAP_KEYS = ['runtime.config.totem.token', 'runtime.config.totem.consensus', 'totem.token', 'totem.consensus'];

/** One command for all of it; `token` frames its parts. */
export function settingsProbe(token: string): string {
  return sectionsScript(
    [
      CMAP_KEYS.map((k) => sh`corosync-cmapctl -g ${k} 2>/dev/null`).join('; '),
      sh`grep -E '^[[:space:]]*(token|consensus)[[:space:]]*:' ${COROSYNC_CONF}`,
      sh`drbdsetup show ${DRBD_RESOURCE} --show-defaults`,
      'cibadmin --query --scope resources',
    ],
    token,
  );
}

/** `KEY (u32) = 3000` lines of corosync-cmapctl. */
export function parseCmap(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const kv = /^(\S+) \(\w+\) = (\d+)\s*$/.exec(line.trim());
    if (kv) out.set(kv[1]!, Number(kv[2]));
  }
  return out;
}

/** The effective value (runtime.config.*), else the configured one (cmap, then corosync.conf). */
function corosyncSetting(name: 'token' | 'consensus', cmap: Map<string, number>, confText: string): Setting | undefined {
  for (const key of [`runtime.config.totem.${name}`, `totem.${name}`]) {
    const v = cmap.get(key);
    if (v !== undefined) return { ms: v, from: `corosync-cmapctl ${key}` };
  }
  const conf = new RegExp(`^\\s*${name}\\s*:\\s*(\\d+)`, 'm').exec(confText);
  return conf ? { ms: Number(conf[1]), from: COROSYNC_CONF } : undefined;
}

/** DRBD's defaults (drbd.conf(5), 8.4 and 9 alike), for a `drbdsetup show` that printed nothing usable. */
const DRBD_DEFAULTS = { 'ping-int': 10_000, 'ping-timeout': 500, timeout: 6000, 'connect-int': 10_000 } as const;
/** drbdsetup prints these in seconds or in tenths of a second. */
const DRBD_UNIT_MS = { 'ping-int': 1000, 'ping-timeout': 100, timeout: 100, 'connect-int': 1000 } as const;
type DrbdKey = keyof typeof DRBD_UNIT_MS;

function drbdSetting(key: DrbdKey, showText: string): Setting {
  const v = new RegExp(`^\\s*${key}\\s+(\\d+)\\s*;`, 'm').exec(showText);
  return v ? { ms: Number(v[1]) * DRBD_UNIT_MS[key], from: `drbdsetup show ${DRBD_RESOURCE}` } : { ms: DRBD_DEFAULTS[key], from: "DRBD's default (not read)" };
}

function primitives(el: XmlElement): XmlElement[] {
  return el.children.flatMap((c) => (c.name === 'primitive' ? [c] : primitives(c)));
}

/** Every primitive of `cibadmin --query --scope resources`, at any depth (clones, groups). */
export function parseCibResources(xml: string): Map<string, ResourceSettings> {
  const out = new Map<string, ResourceSettings>();
  for (const p of primitives(parseXml(xml))) {
    const ops = childrenNamed(childNamed(p, 'operations') ?? p, 'op');
    const op = (name: string): XmlElement | undefined => ops.find((o) => o.attrs.name === name);
    const attributes = Object.fromEntries(
      childrenNamed(p, 'instance_attributes').flatMap((ia) => childrenNamed(ia, 'nvpair').map((nv) => [nv.attrs.name ?? '', nv.attrs.value ?? ''] as const)),
    );
    const monitor = op('monitor')?.attrs.interval;
    const start = op('start')?.attrs.timeout;
    const stop = op('stop')?.attrs.timeout;
    out.set(p.attrs.id ?? '', { ...(monitor ? { monitorInterval: monitor } : {}), ...(start ? { startTimeout: start } : {}), ...(stop ? { stopTimeout: stop } : {}), attributes });
  }
  return out;
}

export function readSettings(stdout: string, token: string): Settings {
  const [cmapPart, confPart, drbdPart, cibPart] = parseSections(stdout, token, 4);
  const cmap = parseCmap(cmapPart?.stdout ?? '');
  const conf = confPart?.stdout ?? '';
  const tokenSetting = corosyncSetting('token', cmap, conf) ?? { from: 'not read' };
  // corosync's own default for consensus: 1.2 x token.
  const consensus =
    corosyncSetting('consensus', cmap, conf) ?? (tokenSetting.ms !== undefined ? { ms: Math.round(tokenSetting.ms * 1.2), from: "corosync's default (1.2 x token)" } : { from: 'not read' });
  const show = drbdPart?.code === 0 ? drbdPart.stdout : '';
  let resources = new Map<string, ResourceSettings>();
  try {
    if (cibPart?.code === 0) resources = parseCibResources(cibPart.stdout);
  } catch {
    /* an unreadable CIB leaves the resources' settings unnamed; the timings still stand */
  }
  return {
    token: tokenSetting,
    consensus,
    drbd: { pingInt: drbdSetting('ping-int', show), pingTimeout: drbdSetting('ping-timeout', show), timeout: drbdSetting('timeout', show), connectInt: drbdSetting('connect-int', show) },
    resources,
  };
}

/** `3000 ms (from)` or `unknown (from)`. */
export const settingText = (s: Setting): string => `${s.ms !== undefined ? `${s.ms} ms` : 'unknown'} (${s.from})`;
