// Which pcs a host runs, and what that version's command line looks like. Detected once per host per run
// and cached in ctx.hostCache. Feature boundaries come from pcs's own CHANGELOG.
import type { ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { probe } from '../lib/exec';

export interface PcsDialect {
  /** As printed by `pcs --version`, e.g. "0.9.169" or "0.11.5". */
  readonly version: string;
  /** 0.9: `cluster auth`, `setup --name`, `resource master`; 0.10+: `host auth`, positional name, `promotable`. */
  readonly generation: '0.9' | '0.10+';
  /** 0.10.7+: a custom (promotable) clone id in `resource create|clone|promotable`. */
  readonly customCloneId: boolean;
  /** 0.10.7+: `pcs resource [op] defaults update k=v` (the bare form is deprecated). */
  readonly defaultsUpdate: boolean;
  /** 0.10.10+: roles Promoted/Unpromoted; older pcs only knows Master/Slave. */
  readonly promotedRoleNames: boolean;
  /** 0.11+: `pcs cluster destroy` needs --force (or an interactive yes). */
  readonly destroyNeedsForce: boolean;
}

const CACHE_KEY = 'pcs.dialect';

/**
 * The installed pcs version from the package database (dpkg, then rpm: ~20 ms), falling back to
 * `pcs --version` (a Python start-up, ~300 ms) for a pcs installed outside the package manager.
 */
export const PCS_VERSION_PROBE =
  "v=$(dpkg-query -W -f='${db:Status-Status} ${Version}' pcs 2>/dev/null) && [ \"${v%% *}\" = installed ] && echo \"${v#* }\" " +
  "|| { rpm -q --quiet pcs 2>/dev/null && rpm -q --qf '%{VERSION}\\n' pcs; } || pcs --version";

/** `version`: as `pcs --version` prints it, or a package version ("0.11.5-1", "1:0.10.8-1.el8"). */
export function dialectFor(version: string): PcsDialect {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim().replace(/^\d+:/, ''));
  if (!m) throw new ModuleError(`cannot read the pcs version from ${JSON.stringify(version)}`);
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const atLeast = (a: number, b: number, c: number): boolean =>
    maj !== a ? maj > a : min !== b ? min > b : patch >= c;
  if (!atLeast(0, 9, 0)) throw new ModuleError(`pcs ${version} is older than 0.9, which these modules do not support`);
  return {
    version: m[0],
    generation: atLeast(0, 10, 0) ? '0.10+' : '0.9',
    customCloneId: atLeast(0, 10, 7),
    defaultsUpdate: atLeast(0, 10, 7),
    promotedRoleNames: atLeast(0, 10, 10),
    destroyNeedsForce: atLeast(0, 11, 0),
  };
}

/** The host's pcs dialect, asking the host only the first time per run. */
export async function pcsDialect(ctx: ModuleContext): Promise<PcsDialect> {
  const cached = ctx.hostCache.get(CACHE_KEY) as PcsDialect | undefined;
  if (cached) return cached;
  const r = await probe(ctx, PCS_VERSION_PROBE);
  if (r.code !== 0) {
    throw new ModuleError(
      r.code === 127
        ? `pcs is not installed on ${ctx.host}; install the pcs package first`
        : `cannot tell the pcs version on ${ctx.host} (package database, then \`pcs --version\`: exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
      r,
    );
  }
  const dialect = dialectFor(r.stdout);
  ctx.hostCache.set(CACHE_KEY, dialect);
  return dialect;
}

/** The name this pcs uses for the promoted role in constraints. */
export function promotedRole(d: PcsDialect): string {
  if (d.generation === '0.9') return 'master';
  return d.promotedRoleNames ? 'Promoted' : 'Master';
}

export function unpromotedRole(d: PcsDialect): string {
  if (d.generation === '0.9') return 'slave';
  return d.promotedRoleNames ? 'Unpromoted' : 'Slave';
}
