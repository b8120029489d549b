// package: packages present, absent or at the latest version, with the host's manager (apt, dnf or
// yum from facts). One read, then one transaction for the whole list of what differs. This folder: the module
// (index.ts) and its managers' sides, apt.ts and rpm.ts (read commands, their parsers, the change commands).
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import { must, probe } from '../lib/exec';
import { settingsDiff } from '../lib/diff';
import {
  aptInstallCommand,
  aptPolicyCommand,
  aptRemoveCommand,
  aptUpdateCommand,
  dpkgQueryCommand,
  parseAptPolicy,
  parseDpkgQuery,
} from './apt';
import { parseRpmQuery, rpmInstallCommand, rpmMakecacheCommand, rpmQueryCommand, rpmRemoveCommand, rpmUpgradeCommand } from './rpm';

export interface PackageParams {
  /** One name or a list; names only (no versions), as the manager knows them. */
  readonly name: string | readonly string[];
  /** Default 'present'. */
  readonly state?: 'present' | 'absent' | 'latest';
  /** Refresh the package lists first (apt-get update / dnf makecache); not under --check. */
  readonly updateCache?: boolean;
  /** apt only: pass --install-recommends / --no-install-recommends; default apt's configuration. */
  readonly installRecommends?: boolean;
  /** apt only, state absent: purge configuration files too. */
  readonly purge?: boolean;
}

export interface PackageResult extends ModuleResult {
  readonly installed: readonly string[];
  readonly upgraded: readonly string[];
  readonly removed: readonly string[];
}

interface Plan {
  readonly install: string[];
  readonly upgrade: string[];
  readonly remove: string[];
  readonly commands: string[];
  /** name -> version before, for the diff. */
  readonly before: Map<string, string>;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.:@-]*$/;

function names(p: PackageParams): string[] {
  const list = typeof p.name === 'string' ? [p.name] : [...p.name];
  if (!list.length) throw new ConfigError('package: name is empty');
  for (const n of list) if (!NAME.test(n)) throw new ConfigError(`package: ${JSON.stringify(n)} is not a package name`);
  return [...new Set(list)];
}

async function planApt(ctx: ModuleContext, p: PackageParams, list: string[], state: string): Promise<Plan> {
  const latest = state === 'latest';
  const r = await probe(ctx, latest ? aptPolicyCommand(list) : dpkgQueryCommand(list));
  // dpkg-query exits 1 when a name is unknown; that is an answer (not installed), not an error.
  if (r.code > 1 || (latest && r.code !== 0)) throw new ModuleError(`reading package state on ${ctx.host} failed (exit ${r.code}): ${r.stderr.trim().slice(-400)}`, r);
  const known = latest ? parseAptPolicy(r.stdout) : parseDpkgQuery(r.stdout);
  const before = new Map(list.map((n) => [n, known.get(n)?.installed ?? '(absent)']));
  if (state === 'absent') {
    const remove = list.filter((n) => known.get(n)?.installed !== undefined);
    return { install: [], upgrade: [], remove, commands: remove.length ? [aptRemoveCommand(remove, p.purge ?? false)] : [], before };
  }
  const install = list.filter((n) => known.get(n)?.installed === undefined);
  const upgrade = latest ? list.filter((n) => { const s = known.get(n); return s?.installed !== undefined && s.candidate !== undefined && s.candidate !== s.installed; }) : [];
  const all = [...install, ...upgrade];
  return { install, upgrade, remove: [], commands: all.length ? [aptInstallCommand(all, p.installRecommends)] : [], before };
}

async function planRpm(ctx: ModuleContext, m: 'dnf' | 'yum', list: string[], state: string): Promise<Plan> {
  const latest = state === 'latest';
  const r = await probe(ctx, rpmQueryCommand(list, m, latest));
  const q = parseRpmQuery(r.stdout);
  if (q.state.size !== list.length || (latest && q.checkUpdateRc !== 0 && q.checkUpdateRc !== 100)) {
    throw new ModuleError(`reading package state on ${ctx.host} failed: ${r.stderr.trim().slice(-400) || 'no output'}`, r);
  }
  const providers = (n: string) => q.state.get(n)?.providers ?? [];
  const before = new Map(list.map((n) => [n, providers(n).map((x) => `${x.name} ${x.version}`).join(', ') || '(absent)']));
  if (state === 'absent') {
    const remove = list.filter((n) => providers(n).length > 0);
    return { install: [], upgrade: [], remove, commands: remove.length ? [rpmRemoveCommand(m, remove)] : [], before };
  }
  const install = list.filter((n) => providers(n).length === 0);
  const upgrade = latest ? [...new Set(list.flatMap((n) => providers(n).map((x) => x.name)))].filter((n) => q.upgradable.has(n)) : [];
  const commands: string[] = [];
  if (install.length) commands.push(rpmInstallCommand(m, install));
  if (upgrade.length) commands.push(rpmUpgradeCommand(m, upgrade));
  return { install, upgrade, remove: [], commands, before };
}

function summary(plan: Plan, done: boolean): string {
  const part = (verb: string, list: readonly string[]): string => (list.length ? `${verb}${done ? 'ed' : ''} ${list.join(', ')}` : '');
  return [part('install', plan.install), part('upgrad' + (done ? '' : 'e'), plan.upgrade), part('remov' + (done ? '' : 'e'), plan.remove)].filter(Boolean).join('; ');
}

/** Exported as packageModule: `package` is a reserved word in strict mode. */
export const packageModule = defineModule<PackageParams, PackageResult, string[]>({
  name: 'package',
  checkMode: true,
  describe: (p) => `package ${(typeof p.name === 'string' ? [p.name] : p.name).join(' ')} state=${p.state ?? 'present'}`,
  preflight: names,
  async run(p, ctx, list) {
    const state = p.state ?? 'present';
    const m = ctx.facts.pkgMgr;
    if (m === 'unknown') throw new ModuleError(`no supported package manager on ${ctx.host} (looked for dnf, yum and apt-get)`);
    if (p.updateCache && !ctx.check) await must(ctx, m === 'apt' ? aptUpdateCommand : rpmMakecacheCommand(m));
    const plan = m === 'apt' ? await planApt(ctx, p, list, state) : await planRpm(ctx, m, list, state);
    const none = { installed: [], upgraded: [], removed: [] };
    if (!plan.commands.length) return { changed: false, msg: `${list.join(', ')}: already ${state === 'absent' ? 'absent' : state === 'latest' ? 'latest' : 'installed'}`, ...none };
    const touched = [...plan.install, ...plan.upgrade, ...plan.remove];
    const diffs = [
      settingsDiff(
        'packages',
        touched.map((n) => ({ key: n, before: plan.before.get(n) ?? '(absent)', after: plan.remove.includes(n) ? '(absent)' : state === 'latest' ? '(latest)' : '(installed)' })),
      ),
    ];
    const result = { installed: plan.install, upgraded: plan.upgrade, removed: plan.remove, diffs };
    if (ctx.check) return { changed: true, msg: `would ${summary(plan, false)}`, ...result };
    await must(ctx, plan.commands.join(' && '));
    return { changed: true, msg: summary(plan, true), ...result };
  },
});
