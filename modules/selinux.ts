// selinux: the mode in /etc/selinux/config and, as far as it can change without a reboot, the running
// mode (setenforce); types made permissive with `semanage permissive -a` (the how-to's drbd_t).
// A no-op, saying so, on hosts without SELinux.
import type { FileDiff, ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { sh } from '../engine/shell';
import { defineModule } from './lib/define';
import { must, probe } from './lib/exec';
import { fileStateScript, parseFileState } from './lib/remote-file';
import { applyEdit } from './lib/edit-file';
import { settingsDiff, type SettingChange } from './lib/diff';
import { editLine } from './lib/text/line-edit';

export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled';

export interface SelinuxParams {
  /** The mode to boot with (config) and, unless it needs a reboot, to run with now. */
  readonly state?: SelinuxMode;
  /** Domains to make permissive, e.g. ['drbd_t']. */
  readonly permissiveTypes?: readonly string[];
  /** Default /etc/selinux/config. */
  readonly configFile?: string;
}

export interface SelinuxResult extends ModuleResult {
  /** False when the host has no SELinux (then nothing was done). */
  readonly present: boolean;
  /** The running mode after the task: enforcing, permissive or disabled. */
  readonly runtime?: SelinuxMode;
  /** The config asks for a mode the running kernel cannot switch to without a reboot. */
  readonly rebootRequired: boolean;
}

const TYPE = /^[A-Za-z0-9_]+$/;

function check(p: SelinuxParams): void {
  if (p.state === undefined && !p.permissiveTypes?.length) throw new ConfigError('selinux: give state and/or permissiveTypes');
  for (const t of p.permissiveTypes ?? []) if (!TYPE.test(t)) throw new ConfigError(`selinux: ${JSON.stringify(t)} is not an SELinux type`);
  if (p.configFile !== undefined && !p.configFile.startsWith('/')) throw new ConfigError('selinux: configFile must be absolute');
}

export function readCommand(configFile: string, wantTypes: boolean): string {
  const lines = [
    'if command -v getenforce >/dev/null 2>&1; then echo "runtime=$(getenforce)"; else echo runtime=absent; fi',
    fileStateScript('cfg', [{ path: configFile, depth: 'content' }]),
  ];
  if (wantTypes) {
    // Listed with headings on every version; the type names are the lines that are one word.
    lines.push('if command -v semanage >/dev/null 2>&1; then echo @permissive; semanage permissive -l || exit $?; else echo semanage=absent; fi');
  }
  return lines.join('\n');
}

export function parsePermissive(stdout: string): Set<string> | undefined {
  const at = stdout.indexOf('@permissive\n');
  if (at < 0) return undefined;
  return new Set(stdout.slice(at + '@permissive\n'.length).split('\n').map((l) => l.trim()).filter((l) => TYPE.test(l)));
}

const toMode = (getenforce: string): SelinuxMode | undefined => {
  const m = getenforce.trim().toLowerCase();
  return m === 'enforcing' || m === 'permissive' || m === 'disabled' ? m : undefined;
};

export const selinux = defineModule<SelinuxParams, SelinuxResult>({
  name: 'selinux',
  checkMode: true,
  describe: (p) => `selinux${p.state ? ` state=${p.state}` : ''}${p.permissiveTypes?.length ? ` permissive=${p.permissiveTypes.join(',')}` : ''}`,
  preflight: check,
  async run(p, ctx) {
    const configFile = p.configFile ?? '/etc/selinux/config';
    const r = await probe(ctx, readCommand(configFile, Boolean(p.permissiveTypes?.length)));
    if (r.code !== 0) throw new ModuleError(`reading SELinux state on ${ctx.host} failed (exit ${r.code}): ${r.stderr.trim().slice(-400) || 'no output'}`, r);
    const runtimeLine = /^runtime=(.*)$/m.exec(r.stdout)?.[1] ?? 'absent';
    const cfg = parseFileState('cfg', [{ path: configFile, depth: 'content' }], r.stdout)[0]!;
    // Without a config file there is no policy to run (Debian with selinux-utils says "Disabled" here).
    if (cfg.kind === 'absent') return { changed: false, present: false, rebootRequired: false, msg: 'SELinux is not installed' };
    const runtime = toMode(runtimeLine);
    if (runtimeLine !== 'absent' && !runtime) throw new ModuleError(`getenforce on ${ctx.host} printed ${JSON.stringify(runtimeLine)}`);

    const diffs: FileDiff[] = [];
    const changes: SettingChange[] = [];
    const commands: string[] = [];
    let after = runtime;
    let rebootRequired = false;
    let changed = false;

    if (p.state) {
      const out = await applyEdit(ctx, { path: configFile, create: false }, cfg, (t) =>
        editLine(t, { state: 'present', regexp: /^\s*SELINUX=/, line: `SELINUX=${p.state}` }),
      );
      changed ||= out.changed;
      diffs.push(...out.diffs);
      if (runtime === 'disabled' && p.state !== 'disabled') rebootRequired = true;
      else if (runtime && runtime !== p.state) {
        // setenforce switches only between enforcing and permissive; disabled takes a reboot.
        const next: SelinuxMode = p.state === 'enforcing' ? 'enforcing' : 'permissive';
        if (runtime !== next) {
          commands.push(`setenforce ${next === 'enforcing' ? 1 : 0}`);
          changes.push({ key: 'runtime', before: runtime, after: next });
          after = next;
        }
        rebootRequired = p.state === 'disabled';
      }
    }

    const wanted = p.permissiveTypes ?? [];
    if (wanted.length) {
      if (/^semanage=absent$/m.test(r.stdout)) {
        throw new ModuleError(`semanage is not installed on ${ctx.host}: install policycoreutils-python-utils (RHEL 8+) or policycoreutils-python (RHEL 7)`);
      }
      const current = parsePermissive(r.stdout) ?? new Set<string>();
      for (const t of wanted.filter((x) => !current.has(x))) {
        commands.push(sh`semanage permissive -a ${t}`);
        changes.push({ key: `permissive ${t}`, before: 'no', after: 'yes' });
      }
    }
    if (changes.length) diffs.push(settingsDiff('selinux', changes));
    changed ||= commands.length > 0;
    const note = rebootRequired ? ' (reboot required)' : '';
    if (!changed) return { changed, present: true, runtime, rebootRequired, msg: `SELinux already as wanted${note}` };
    if (commands.length && !ctx.check) await must(ctx, commands.join(' && '));
    const what = [...diffs.filter((d) => d.path === configFile).map(() => `${configFile} SELINUX=${p.state}`), ...changes.map((c) => `${c.key} ${c.after}`)].join(', ');
    return { changed, present: true, runtime: after, rebootRequired, diffs, msg: `${ctx.check ? 'would set' : 'set'} ${what}${note}` };
  },
});
