// The controller's own Debian mirror, read from its apt sources (one-line .list and deb822 .sources),
// so the lab never names a mirror host itself.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { must } from './proc';

export interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** `deb [opts] URI SUITE COMP...` lines; deb-src and comments ignored. */
export function parseOneLine(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) out.push({ uri, suites: [suite], components });
  }
  return out;
}

/** deb822 stanzas: Types / URIs / Suites / Components, `Enabled: no` honoured. */
export function parseDeb822(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    for (const uri of words('uris')) out.push({ uri, suites: words('suites'), components: words('components') });
  }
  return out;
}

export async function controllerSources(): Promise<AptSource[]> {
  const found: AptSource[] = [];
  const main = await fs.readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  found.push(...parseOneLine(main));
  const dir = '/etc/apt/sources.list.d';
  for (const name of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
    const text = await fs.readFile(path.join(dir, name), 'utf8').catch(() => '');
    if (name.endsWith('.list')) found.push(...parseOneLine(text));
    else if (name.endsWith('.sources')) found.push(...parseDeb822(text));
  }
  return found;
}

export async function debianCodename(): Promise<string> {
  const text = await fs.readFile('/etc/os-release', 'utf8');
  const m = /^VERSION_CODENAME=["']?([a-z]+)/m.exec(text);
  if (!m) throw new Error('/etc/os-release has no VERSION_CODENAME: the lab builds on Debian only');
  return m[1]!;
}

export interface Mirror {
  /** For debootstrap: the URI serving CODENAME itself. */
  readonly uri: string;
  /** sources.list lines for the image build: CODENAME, -updates and -security, component main. */
  readonly lines: readonly string[];
}

export function pickMirror(sources: readonly AptSource[], codename: string): Mirror {
  const wanted = [codename, `${codename}-updates`, `${codename}-security`];
  const lines: string[] = [];
  let uri: string | undefined;
  for (const s of sources) {
    if (!s.components.includes('main')) continue;
    for (const suite of s.suites) {
      if (!wanted.includes(suite)) continue;
      if (suite === codename) uri ??= s.uri;
      const line = `deb ${s.uri} ${suite} main`;
      if (!lines.includes(line)) lines.push(line);
    }
  }
  if (!uri) throw new Error(`no apt source for "${codename} main" in /etc/apt/sources.list{,.d}: cannot debootstrap`);
  return { uri, lines };
}

/** apt settings that decide whether fetching works here (proxies, snapshot date checks), for the build chroot. */
export async function fetchSettings(): Promise<string> {
  const dump = (await must(['apt-config', 'dump', 'Acquire'])).stdout;
  const keep = /^Acquire::(https?::Proxy|ftp::Proxy|Check-Valid-Until|Check-Date|Retries|ForceIPv4)\b/i;
  return dump
    .split('\n')
    .filter((l) => keep.test(l) && / ".+";$/.test(l))
    .join('\n');
}
