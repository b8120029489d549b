// SHOW GRANTS lines as privilege sets per target, and the GRANT/REVOKE statements between two such sets.
import { sqlAccount } from './sql';

/** Privileges per target ("*.*", "vprotect.*", "vprotect.t"), upper-case, aliases resolved. */
export type GrantMap = Map<string, Set<string>>;

/** MariaDB 10.5+ shows REPLICATION CLIENT as BINLOG MONITOR; ALL is ALL PRIVILEGES. */
const ALIASES: Readonly<Record<string, string>> = {
  ALL: 'ALL PRIVILEGES',
  'REPLICATION CLIENT': 'BINLOG MONITOR',
};

export function normalPrivilege(p: string): string {
  const up = p.trim().replace(/\s+/g, ' ').toUpperCase();
  return ALIASES[up] ?? up;
}

/** `vprotect`.* -> vprotect.*; *.* stays. */
export function normalTarget(t: string): string {
  return t
    .trim()
    .split('.')
    .map((part) => (part.startsWith('`') && part.endsWith('`') ? part.slice(1, -1).replace(/``/g, '`') : part))
    .join('.');
}

/** Split "SELECT (a, b), INSERT" at top-level commas. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of list) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out.map(normalPrivilege);
}

/** Parse SHOW GRANTS lines; PROXY and role grants are not privilege grants and are skipped. */
export function parseGrants(lines: readonly string[]): GrantMap {
  const map: GrantMap = new Map();
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (?:(?:TABLE|FUNCTION|PROCEDURE) )?(\S+) TO .+$/.exec(line.trim());
    if (!m || /^PROXY$/i.test(m[1]!.trim())) continue;
    const target = normalTarget(m[2]!);
    const set = map.get(target) ?? new Set<string>();
    for (const p of splitPrivileges(m[1]!)) if (p !== 'USAGE') set.add(p);
    if (/ WITH GRANT OPTION\b/.test(line) || /\bGRANT OPTION\b/.test(m[1]!)) set.add('GRANT OPTION');
    map.set(target, set);
  }
  for (const [t, s] of map) if (!s.size) map.delete(t);
  return map;
}

export function wantedGrants(privileges: Readonly<Record<string, readonly string[]>>): GrantMap {
  const map: GrantMap = new Map();
  for (const [target, privs] of Object.entries(privileges)) {
    const set = new Set(privs.map(normalPrivilege).filter((p) => p !== 'USAGE'));
    if (set.size) map.set(normalTarget(target), set);
  }
  return map;
}

/** A target as SQL: each part quoted unless it is *. */
function targetSql(t: string): string {
  return t
    .split('.')
    .map((part) => (part === '*' ? '*' : '`' + part.replace(/`/g, '``') + '`'))
    .join('.');
}

/**
 * Statements turning `have` into `want`. With `append`, nothing is revoked. Targets missing from
 * `want` lose all their privileges unless `append`.
 */
export function grantStatements(user: string, host: string, have: GrantMap, want: GrantMap, append: boolean): string[] {
  const who = sqlAccount(user, host);
  const out: string[] = [];
  for (const [target, privs] of want) {
    const current = have.get(target) ?? new Set<string>();
    const add = [...privs].filter((p) => !current.has(p) && p !== 'GRANT OPTION');
    const addOption = privs.has('GRANT OPTION') && !current.has('GRANT OPTION');
    // Revoke first: REVOKE ALL PRIVILEGES after a GRANT would take the new grant away again.
    const drop = append ? [] : [...current].filter((p) => !privs.has(p));
    if (drop.length) out.push(`REVOKE ${drop.join(', ')} ON ${targetSql(target)} FROM ${who}`);
    if (add.length || addOption) {
      out.push(`GRANT ${add.length ? add.join(', ') : 'USAGE'} ON ${targetSql(target)} TO ${who}${addOption ? ' WITH GRANT OPTION' : ''}`);
    }
  }
  if (!append) {
    for (const [target, privs] of have) {
      if (!want.has(target) && privs.size) out.push(`REVOKE ${[...privs].join(', ')} ON ${targetSql(target)} FROM ${who}`);
    }
  }
  return out;
}

export function describeGrants(g: GrantMap): string {
  return [...g]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, s]) => `${t}: ${[...s].sort().join(', ')}`)
    .join('\n');
}
