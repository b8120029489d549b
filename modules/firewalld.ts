// firewalld: services and ports open (or closed) in a zone, both permanently and in the running
// firewall, without a reload. A no-op, saying so, where firewalld is absent, stopped or masked.
import type { ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { must, probe } from './lib/exec';
import { settingsDiff, type SettingChange } from './lib/diff';

export interface FirewalldParams {
  /** firewalld service names, e.g. ['high-availability']. */
  readonly services?: readonly string[];
  /** Ports with protocol: '7788/tcp', '5405/udp', '2224-2230/tcp'. */
  readonly ports?: readonly string[];
  /** Default 'enabled'. */
  readonly state?: 'enabled' | 'disabled';
  /** Default: firewalld's default zone. */
  readonly zone?: string;
}

export interface FirewalldResult extends ModuleResult {
  /** False when firewalld is absent, stopped or masked (then nothing was done). */
  readonly running: boolean;
}

/** firewall-cmd --state exit codes (firewall/errors.py): stopped, and running with a failed config load. */
const NOT_RUNNING = 252;
const RUNNING_BUT_FAILED = 251;

const NAME = /^[A-Za-z0-9_.+-]+$/;
const PORT = /^\d{1,5}(-\d{1,5})?\/(tcp|udp|sctp|dccp)$/;

function check(p: FirewalldParams): void {
  const services = p.services ?? [];
  const ports = p.ports ?? [];
  if (!services.length && !ports.length) throw new ConfigError('firewalld: give services and/or ports');
  for (const s of services) if (!NAME.test(s)) throw new ConfigError(`firewalld: ${JSON.stringify(s)} is not a service name`);
  for (const x of ports) if (!PORT.test(x)) throw new ConfigError(`firewalld: port ${JSON.stringify(x)} must look like 7788/tcp or 2224-2230/tcp`);
  if (p.zone !== undefined && !NAME.test(p.zone)) throw new ConfigError(`firewalld: ${JSON.stringify(p.zone)} is not a zone name`);
}

export function readCommand(zone: string | undefined): string {
  const z = zone === undefined ? '' : ' ' + sh`--zone=${zone}`;
  return [
    'command -v firewall-cmd >/dev/null 2>&1 || { echo fw=absent; exit 0; }',
    'firewall-cmd --state >/dev/null 2>&1; rc=$?',
    'if [ "$rc" -ne 0 ]; then echo "fw=stopped $rc"; echo "enabled=$(systemctl is-enabled firewalld 2>/dev/null)"; exit 0; fi',
    'echo fw=running',
    `echo @runtime; firewall-cmd${z} --list-all || exit $?`,
    `echo @permanent; firewall-cmd --permanent${z} --list-all || exit $?`,
  ].join('\n');
}

export interface ZoneRules {
  readonly services: Set<string>;
  readonly ports: Set<string>;
}

/** The `services:` and `ports:` lines of `firewall-cmd --list-all`, per @runtime / @permanent section. */
export function parseListAll(stdout: string): { runtime: ZoneRules; permanent: ZoneRules } {
  const sections: Record<string, ZoneRules> = {};
  let current: ZoneRules | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '@runtime' || line === '@permanent') {
      current = { services: new Set(), ports: new Set() };
      sections[line.slice(1)] = current;
      continue;
    }
    const m = /^\s+(services|ports):(.*)$/.exec(line);
    if (m && current) for (const w of m[2]!.trim().split(/\s+/).filter(Boolean)) current[m[1] as 'services' | 'ports'].add(w);
  }
  if (!sections.runtime || !sections.permanent) throw new ModuleError('firewall-cmd --list-all printed no zone information');
  return { runtime: sections.runtime, permanent: sections.permanent };
}

export const firewalld = defineModule<FirewalldParams, FirewalldResult>({
  name: 'firewalld',
  checkMode: true,
  describe: (p) => `firewalld ${[...(p.services ?? []), ...(p.ports ?? [])].join(' ')} ${p.state ?? 'enabled'}`,
  preflight: check,
  async run(p, ctx) {
    const r = await probe(ctx, readCommand(p.zone));
    if (r.code !== 0) throw new ModuleError(`firewall-cmd failed on ${ctx.host} (exit ${r.code}): ${r.stderr.trim().slice(-400) || 'no output'}`, r);
    if (r.stdout.startsWith('fw=absent')) return { changed: false, running: false, msg: 'firewalld not running (not installed)' };
    const stopped = /^fw=stopped (\d+)/.exec(r.stdout);
    if (stopped) {
      const code = Number(stopped[1]);
      if (code === RUNNING_BUT_FAILED) throw new ModuleError(`firewalld on ${ctx.host} is running but failed to load its configuration: see \`journalctl -u firewalld\``);
      if (code !== NOT_RUNNING) throw new ModuleError(`firewall-cmd --state on ${ctx.host} exited ${code}`);
      const enabled = /^enabled=(.*)$/m.exec(r.stdout)?.[1]?.trim() ?? '';
      const note = enabled === 'enabled' ? ' (but enabled: it will start at boot without these rules)' : enabled === 'masked' ? ' (masked)' : '';
      return { changed: false, running: false, msg: `firewalld not running${note}` };
    }
    const { runtime, permanent } = parseListAll(r.stdout);
    const on = (p.state ?? 'enabled') === 'enabled';
    const z = p.zone === undefined ? [] : [`--zone=${p.zone}`];
    const flags = (rules: ZoneRules): string[] => [
      ...(p.services ?? []).filter((s) => rules.services.has(s) !== on).map((s) => `--${on ? 'add' : 'remove'}-service=${s}`),
      ...(p.ports ?? []).filter((x) => rules.ports.has(x) !== on).map((x) => `--${on ? 'add' : 'remove'}-port=${x}`),
    ];
    const perm = flags(permanent);
    const live = flags(runtime);
    if (!perm.length && !live.length) return { changed: false, running: true, msg: `already ${on ? 'open' : 'closed'}` };
    const changes: SettingChange[] = [
      ...perm.map((f) => ({ key: `permanent ${f.replace(/^--(add|remove)-/, '')}`, before: on ? 'closed' : 'open', after: on ? 'open' : 'closed' })),
      ...live.map((f) => ({ key: `runtime ${f.replace(/^--(add|remove)-/, '')}`, before: on ? 'closed' : 'open', after: on ? 'open' : 'closed' })),
    ];
    const diffs = [settingsDiff(`firewalld${p.zone ? ' zone ' + p.zone : ''}`, changes)];
    const what = [...new Set([...perm, ...live])].map((f) => f.replace(/^--(add|remove)-\w+=/, '')).join(', ');
    if (ctx.check) return { changed: true, running: true, diffs, msg: `would ${on ? 'open' : 'close'} ${what}` };
    const cmds: string[] = [];
    if (perm.length) cmds.push(sh`firewall-cmd --permanent ${[...z, ...perm]}`);
    if (live.length) cmds.push(sh`firewall-cmd ${[...z, ...live]}`);
    await must(ctx, cmds.join(' && '));
    return { changed: true, running: true, diffs, msg: `${on ? 'opened' : 'closed'} ${what}` };
  },
});
