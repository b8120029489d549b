// service: a systemd unit started/stopped/restarted/reloaded, enabled or not, masked or not.
// The unit's state comes from one `systemctl show`; every needed change then runs in one command.
import type { ModuleContext, ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule, shellRead } from './lib/define';
import { must, probe } from './lib/exec';
import { settingsDiff, summarize, type SettingChange } from './lib/diff';

export interface ServiceParams {
  /** The unit, e.g. 'pcsd' or 'pcsd.service'. */
  readonly name: string;
  readonly state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  readonly enabled?: boolean;
  readonly masked?: boolean;
  /** Run `systemctl daemon-reload` first (after a unit file changed); not counted as a change. */
  readonly daemonReload?: boolean;
}

export interface UnitStatus {
  readonly loadState: string;
  readonly activeState: string;
  readonly unitFileState: string;
}

export interface ServiceResult extends ModuleResult {
  readonly name: string;
  /** The unit's state after the task (predicted under --check). */
  readonly status: UnitStatus;
}

const RUNNING = new Set(['active', 'activating', 'reloading']);
const STOPPING = new Set(['deactivating']);
/** UnitFileStates `systemctl is-enabled` answers 0 for (indirect counts as disabled, as in Ansible). */
const ENABLED = new Set(['enabled', 'enabled-runtime', 'alias', 'static', 'generated', 'transient']);
/** Units without an [Install] section: enable/disable cannot change them. */
const FIXED = new Set(['static', 'generated', 'transient']);

export const showCommand = (name: string): string => sh`systemctl show -p LoadState,ActiveState,UnitFileState -- ${name}`;

export function parseShow(stdout: string): UnitStatus {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return { loadState: kv.get('LoadState') ?? '', activeState: kv.get('ActiveState') ?? '', unitFileState: kv.get('UnitFileState') ?? '' };
}

function check(p: ServiceParams): void {
  if (!/^[A-Za-z0-9:_.@\\-]+$/.test(p.name) || p.name.startsWith('-')) throw new ConfigError(`service: ${JSON.stringify(p.name)} is not a unit name`);
  if (p.state === undefined && p.enabled === undefined && p.masked === undefined && !p.daemonReload) {
    throw new ConfigError(`service ${p.name}: give state, enabled, masked or daemonReload`);
  }
  if (p.masked === true && (p.enabled === true || (p.state !== undefined && p.state !== 'stopped'))) {
    throw new ConfigError(`service ${p.name}: a masked unit cannot be enabled or ${p.state ?? 'started'}`);
  }
}

interface Plan {
  readonly commands: string[];
  readonly changes: SettingChange[];
  readonly after: UnitStatus;
}

function plan(p: ServiceParams, cur: UnitStatus, host: string): Plan {
  const unit = p.name;
  const masked = cur.loadState === 'masked' || cur.unitFileState.startsWith('masked');
  if (cur.loadState === 'not-found' && p.masked !== true) {
    throw new ModuleError(`unit ${unit} not found on ${host}: is its package installed, or the unit file in place (then daemonReload)?`);
  }
  if (cur.loadState !== 'loaded' && cur.loadState !== 'masked' && cur.loadState !== 'not-found' && p.masked !== true) {
    throw new ModuleError(`unit ${unit} on ${host} could not be loaded (LoadState=${cur.loadState || 'unknown'}): see \`systemctl status ${unit}\``);
  }
  const commands: string[] = [];
  let active = cur.activeState;
  let fileState = cur.unitFileState;
  const running = RUNNING.has(active);

  if (p.masked === false && masked) {
    commands.push(sh`systemctl unmask -- ${unit}`);
    fileState = 'disabled';
  }
  if (p.masked === true && !masked) {
    if (p.state === 'stopped' && (running || STOPPING.has(active))) {
      commands.push(sh`systemctl stop -- ${unit}`);
      active = 'inactive';
    }
    commands.push(sh`systemctl mask -- ${unit}`);
    fileState = 'masked';
  }
  const nowMasked = fileState.startsWith('masked');
  if (p.enabled !== undefined && !nowMasked) {
    const isEnabled = ENABLED.has(fileState);
    if (p.enabled && !isEnabled) {
      commands.push(sh`systemctl enable -- ${unit}`);
      fileState = 'enabled';
    } else if (!p.enabled && isEnabled) {
      if (FIXED.has(fileState)) {
        throw new ModuleError(`unit ${unit} on ${host} is ${fileState} (no [Install] section): it cannot be disabled; use masked: true to keep it from starting`);
      }
      commands.push(sh`systemctl disable -- ${unit}`);
      fileState = 'disabled';
    }
  } else if (p.enabled === true && nowMasked) {
    throw new ModuleError(`unit ${unit} on ${host} is masked; set masked: false to enable it`);
  }
  switch (p.state) {
    case 'started':
      if (nowMasked) throw new ModuleError(`unit ${unit} on ${host} is masked; set masked: false to start it`);
      if (!running) {
        commands.push(sh`systemctl start -- ${unit}`);
        active = 'active';
      }
      break;
    case 'stopped':
      // `active` is already 'inactive' when the stop was ordered before a mask above.
      if (RUNNING.has(active) || STOPPING.has(active)) {
        commands.push(sh`systemctl stop -- ${unit}`);
        active = 'inactive';
      }
      break;
    case 'restarted':
      if (nowMasked) throw new ModuleError(`unit ${unit} on ${host} is masked; set masked: false to restart it`);
      commands.push(sh`systemctl restart -- ${unit}`);
      active = 'active';
      break;
    case 'reloaded':
      if (nowMasked) throw new ModuleError(`unit ${unit} on ${host} is masked; set masked: false to reload it`);
      commands.push(running ? sh`systemctl reload -- ${unit}` : sh`systemctl start -- ${unit}`);
      active = 'active';
      break;
  }
  const changes: SettingChange[] = [];
  if (active !== cur.activeState || p.state === 'restarted' || p.state === 'reloaded') {
    changes.push({ key: 'ActiveState', before: cur.activeState, after: p.state === 'restarted' ? 'active (restarted)' : p.state === 'reloaded' && running ? 'active (reloaded)' : active });
  }
  if (fileState !== cur.unitFileState) changes.push({ key: 'UnitFileState', before: cur.unitFileState, after: fileState });
  return { commands, changes, after: { loadState: nowMasked ? 'masked' : 'loaded', activeState: active, unitFileState: fileState } };
}

/** A failed start says "see systemctl status": include it, so the operator sees why at once. */
async function withStatus(ctx: ModuleContext, unit: string, e: unknown): Promise<never> {
  if (!(e instanceof ModuleError)) throw e;
  const st = await probe(ctx, sh`systemctl status --no-pager --lines=10 -- ${unit}`);
  const status = st.stdout.trim().split('\n').slice(-15).join('\n');
  throw new ModuleError(status ? `${e.message}\n${status}` : e.message, e.detail);
}

/** Where systemd reads units, drop-ins, enablement and masks from (and the SysV scripts its generator wraps). */
const UNIT_PATHS = ['/etc/systemd', '/run/systemd', '/lib/systemd', '/usr/lib/systemd', '/usr/local/lib/systemd', '/etc/init.d'];

/** The result when the unit already is as asked. */
const asIs = (p: ServiceParams, cur: UnitStatus): ServiceResult => ({
  changed: false,
  msg: `${p.name} is ${cur.activeState}, ${cur.unitFileState || cur.loadState}`,
  name: p.name,
  status: cur,
});

export const service = defineModule<ServiceParams, ServiceResult, void, UnitStatus>({
  name: 'service',
  checkMode: true,
  describe: (p) =>
    `service ${p.name}${p.state ? ` state=${p.state}` : ''}${p.enabled !== undefined ? ` enabled=${p.enabled}` : ''}${p.masked !== undefined ? ` masked=${p.masked}` : ''}`,
  preflight: check,
  // The unit's state, unless a daemon-reload must come first (systemd shows the old unit until then). It goes
  // stale when a task writes where systemd finds units (a unit file copied in, a drop-in, a mask link).
  probe(p) {
    if (p.daemonReload) return undefined;
    const read = shellRead(showCommand(p.name), UNIT_PATHS);
    return {
      reads: [read],
      state(answers) {
        const r = answers.get(read);
        if (r.code !== 0) throw new Error(`systemctl show exited ${r.code}`); // run() reports it
        return parseShow(r.stdout);
      },
      settled: (cur, ctx) => (ctx.facts.initSystem === 'systemd' && !plan(p, cur, ctx.host).commands.length ? asIs(p, cur) : undefined),
    };
  },
  async run(p, ctx, _checked, probed) {
    if (ctx.facts.initSystem !== 'systemd') throw new ModuleError(`service ${p.name}: ${ctx.host} does not run systemd`);
    const read = p.daemonReload && !ctx.check ? `systemctl daemon-reload && ${showCommand(p.name)}` : showCommand(p.name);
    const cur = probed ?? parseShow((await must(ctx, read)).stdout);
    const todo = plan(p, cur, ctx.host);
    if (!todo.commands.length) return asIs(p, cur);
    const diffs = [settingsDiff(`service ${p.name}`, todo.changes)];
    if (ctx.check) return { changed: true, msg: `would ${todo.commands.map((c) => c.replace(/^systemctl (\S+) -- .*/, '$1')).join(', ')} ${p.name}`, diffs, name: p.name, status: todo.after };
    await must(ctx, todo.commands.join(' && ')).catch((e: unknown) => withStatus(ctx, p.name, e));
    return { changed: true, msg: `${p.name}: ${summarize(todo.changes)}`, diffs, name: p.name, status: todo.after };
  },
});
