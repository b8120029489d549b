// dnf/yum's side of the package module: rpm -q --whatprovides per name (so a capability such as
// policycoreutils-python counts when another package provides it), check-update for latest.
import { sh } from '../../engine/shell';

export interface RpmState {
  /** Installed packages providing the name: "pcs 0.10.8-1.el8.noarch". Empty when none. */
  readonly providers: ReadonlyArray<{ readonly name: string; readonly version: string }>;
}

export function rpmQueryCommand(names: readonly string[], manager: 'dnf' | 'yum', latest: boolean): string {
  const lines = [
    sh`for p in ${names}; do printf 'pkg=%s\\n' "$p"; rpm -q --whatprovides --qf 'have=%{NAME} %{VERSION}-%{RELEASE}.%{ARCH}\\n' "$p"; done`,
  ];
  // check-update exits 100 when updates exist, 0 when none, 1 on error: the code is printed, not fatal.
  if (latest) lines.push(`LC_ALL=C ${manager} -q check-update -- ${sh`${names}`}; echo "check_update_rc=$?"`);
  return lines.join('\n');
}

export interface RpmQuery {
  readonly state: Map<string, RpmState>;
  /** Package names check-update lists as upgradable (only when asked for latest). */
  readonly upgradable: Set<string>;
  readonly checkUpdateRc?: number;
}

export function parseRpmQuery(stdout: string): RpmQuery {
  const state = new Map<string, RpmState>();
  const upgradable = new Set<string>();
  let current: string | undefined;
  let providers: Array<{ name: string; version: string }> = [];
  let rc: number | undefined;
  let obsoleting = false;
  const flush = (): void => {
    if (current !== undefined) state.set(current, { providers });
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('pkg=')) {
      flush();
      current = line.slice(4);
      providers = [];
    } else if (line.startsWith('have=')) {
      const [name = '', version = ''] = line.slice(5).split(' ');
      providers.push({ name, version });
    } else if (line.startsWith('check_update_rc=')) {
      rc = Number(line.slice('check_update_rc='.length));
    } else if (/^Obsoleting Packages/.test(line)) {
      obsoleting = true;
    } else if (!obsoleting) {
      // `pcs.noarch    0.10.9-1.el8    local`: name.arch, version, repository.
      const m = /^(\S+)\.([^.\s]+)\s+\S+\s+\S+\s*$/.exec(line);
      if (m) upgradable.add(m[1]!);
    }
  }
  flush();
  return { state, upgradable, checkUpdateRc: rc };
}

export const rpmInstallCommand = (m: 'dnf' | 'yum', names: readonly string[]): string => sh`${m} -y install -- ${names}`;
export const rpmUpgradeCommand = (m: 'dnf' | 'yum', names: readonly string[]): string => sh`${m} -y upgrade -- ${names}`;
export const rpmRemoveCommand = (m: 'dnf' | 'yum', names: readonly string[]): string => sh`${m} -y remove -- ${names}`;
export const rpmMakecacheCommand = (m: 'dnf' | 'yum'): string => sh`${m} -q makecache`;
