// apt's side of the package module: dpkg-query / apt-cache policy to read, one apt-get to change.
import { sh } from '../../engine/shell';

export interface PackageState {
  /** Installed version, undefined when not installed (config-files only counts as not installed). */
  readonly installed?: string;
  /** For state latest: the version apt would install (apt-cache policy Candidate), undefined when none. */
  readonly candidate?: string;
}

export const dpkgQueryCommand = (names: readonly string[]): string =>
  sh`LC_ALL=C dpkg-query -W -f=${'${Package}\\t${Status}\\t${Version}\\n'} -- ${names}`;

export const aptPolicyCommand = (names: readonly string[]): string => sh`LC_ALL=C apt-cache policy -- ${names}`;

/** `pacemaker\tinstall ok installed\t2.1.5-1` lines; a status whose last word is not `installed` is not installed. */
export function parseDpkgQuery(stdout: string): Map<string, PackageState> {
  const out = new Map<string, PackageState>();
  for (const line of stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (!name || status === undefined) continue;
    const installed = status.trim().split(/\s+/).pop() === 'installed';
    out.set(name, installed ? { installed: version ?? '' } : {});
  }
  return out;
}

/** `name:` blocks with `  Installed: X` / `  Candidate: Y`; `(none)` means no version. */
export function parseAptPolicy(stdout: string): Map<string, PackageState> {
  const out = new Map<string, PackageState>();
  let name: string | undefined;
  let installed: string | undefined;
  let candidate: string | undefined;
  const flush = (): void => {
    if (name) out.set(name, { installed, candidate });
  };
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      flush();
      [name, installed, candidate] = [head[1], undefined, undefined];
      continue;
    }
    const kv = /^\s+(Installed|Candidate):\s+(\S+)/.exec(line);
    if (!kv || !name) continue;
    const v = kv[2] === '(none)' ? undefined : kv[2];
    if (kv[1] === 'Installed') installed = v;
    else candidate = v;
  }
  flush();
  return out;
}

const APT_GET = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120';
// Keep locally modified config files and take the package's for untouched ones, without prompting.
const CONF = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

export function aptInstallCommand(names: readonly string[], installRecommends?: boolean): string {
  const rec = installRecommends === undefined ? '' : installRecommends ? ' --install-recommends' : ' --no-install-recommends';
  return `${APT_GET} ${CONF}${rec} install -- ${sh`${names}`}`;
}

export function aptRemoveCommand(names: readonly string[], purge: boolean): string {
  return `${APT_GET} ${purge ? 'purge' : 'remove'} -- ${sh`${names}`}`;
}

export const aptUpdateCommand = `${APT_GET} update`;
