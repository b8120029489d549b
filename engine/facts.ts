// Facts: one round trip per host per run, a POSIX script printing key=value lines.
import type { Connection, Facts, OsFamily, PackageManager } from './types';
import { ModuleError } from './errors';

/** Marker every fact line starts with, so login banners or shell noise cannot be mistaken for facts. */
const P = 'FACT_';

export const FACTS_SCRIPT = [
  `echo "${P}hostname=$(uname -n)"`,
  `echo "${P}user=$(id -un)"`,
  `. /etc/os-release 2>/dev/null; echo "${P}os_id=$ID"; echo "${P}os_version=$VERSION_ID"; echo "${P}os_like=$ID_LIKE"`,
  `for m in dnf yum apt-get; do command -v $m >/dev/null 2>&1 && { echo "${P}pkg=$m"; break; }; done`,
  `[ -d /run/systemd/system ] && echo "${P}init=systemd" || echo "${P}init=other"`,
  // `ip -4 -o addr show scope global`: "2: eth0    inet 10.0.0.5/24 brd ... scope global [secondary] eth0"
  `ip -4 -o addr show scope global 2>/dev/null | while read -r _ dev _ addr rest; do case "$rest" in *secondary*) echo "${P}ipv4_secondary=\${addr%/*}";; *) echo "${P}ipv4=\${addr%/*}";; esac; done`,
].join('\n');

export function parseFacts(stdout: string): Facts {
  const kv = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(P)) continue;
    const eq = line.indexOf('=');
    const key = line.slice(P.length, eq);
    kv.set(key, [...(kv.get(key) ?? []), line.slice(eq + 1)]);
  }
  const one = (k: string): string => kv.get(k)?.[0] ?? '';
  const id = one('os_id');
  const like = one('os_like').split(/\s+/);
  const family: OsFamily = ['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol'].some((x) => x === id || like.includes(x))
    ? 'RedHat'
    : id === 'debian' || like.includes('debian')
      ? 'Debian'
      : 'Other';
  const pkg = one('pkg');
  const pkgMgr: PackageManager = pkg === 'dnf' || pkg === 'yum' ? pkg : pkg === 'apt-get' ? 'apt' : 'unknown';
  const versionId = one('os_version');
  return {
    hostname: one('hostname'),
    user: one('user'),
    os: { id, versionId, major: Number.parseInt(versionId, 10) || 0, family },
    pkgMgr,
    initSystem: one('init') === 'systemd' ? 'systemd' : 'other',
    ipv4: [...(kv.get('ipv4') ?? []), ...(kv.get('ipv4_secondary') ?? [])],
  };
}

/** The inverse of parseFacts, for fake hosts in specs. */
export function renderFacts(f: Facts): string {
  const lines = [
    `hostname=${f.hostname}`,
    `user=${f.user}`,
    `os_id=${f.os.id}`,
    `os_version=${f.os.versionId}`,
    `os_like=${f.os.family === 'RedHat' ? 'rhel fedora' : f.os.family === 'Debian' ? 'debian' : ''}`,
    `pkg=${f.pkgMgr === 'apt' ? 'apt-get' : f.pkgMgr}`,
    `init=${f.initSystem}`,
    ...f.ipv4.map((ip) => `ipv4=${ip}`),
  ];
  return lines.map((l) => P + l).join('\n') + '\n';
}

/** The facts from FACTS_SCRIPT's exit status and output; throws when it printed no hostname. */
export function factsFrom(r: { readonly code: number; readonly stdout: string; readonly stderr?: string }): Facts {
  const facts = parseFacts(r.stdout);
  if (!facts.hostname) {
    throw new ModuleError(`fact gathering printed no hostname (exit ${r.code}): ${(r.stderr ?? '').trim().slice(-300)}`);
  }
  return facts;
}

export async function gatherFacts(conn: Connection): Promise<Facts> {
  return factsFrom(await conn.exec(FACTS_SCRIPT));
}
