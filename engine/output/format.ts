// Shared wording of results, diffs and the recap, so the plain, listr2 and JSON outputs agree.
import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../types';
import type { HostStats, RunEvent, TaskRef } from '../runner/events';

export type Paint = (style: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'dim' | 'bold' | 'warn', text: string) => string;

export const noPaint: Paint = (_s, t) => t;

export function taskTitle(t: TaskRef): string {
  const prefix = t.kind === 'handler' ? 'RUNNING HANDLER ' : '';
  return `${prefix}${t.role ? `${t.role} : ` : ''}${t.name}`;
}

type ResultEvent = Extract<RunEvent, { type: 'result' }>;

/** Ansible's wording: ok: [host], changed: [host], fatal: [host]: FAILED! => msg, skipping: [host]. */
export function resultLine(e: ResultEvent, paint: Paint): string {
  const who = e.delegatedTo ? `[${e.host} -> ${e.delegatedTo}]` : `[${e.host}]`;
  const msg = e.msg ? ` => ${e.msg}` : '';
  switch (e.status) {
    case 'ok':
      return paint('ok', `ok: ${who}`) + (e.msg ? paint('dim', msg) : '');
    case 'changed':
      return paint('changed', `changed: ${who}`) + (e.msg ? paint('dim', msg) : '');
    case 'skipped':
      return paint('skipped', `skipping: ${who}`) + (e.msg ? paint('dim', msg) : '');
    case 'unreachable':
      return paint('unreachable', `fatal: ${who}: UNREACHABLE!${msg}`);
    case 'failed':
      return e.ignored ? paint('failed', `failed: ${who}${msg}`) + paint('skipped', ' ...ignoring') : paint('failed', `fatal: ${who}: FAILED!${msg}`);
  }
}

export function diffText(d: FileDiff, paint: Paint): string {
  const patch = createTwoFilesPatch(`before: ${d.path}`, `after: ${d.path}`, d.before, d.after, '', '', { context: 3 });
  return patch
    .split('\n')
    .slice(1) // the "====" header line
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? paint('ok', l) : l.startsWith('-') && !l.startsWith('---') ? paint('failed', l) : l))
    .join('\n')
    .trimEnd();
}

export function recapLines(stats: Readonly<Record<string, HostStats>>, paint: Paint): string[] {
  const names = Object.keys(stats);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((h) => {
    const s = stats[h]!;
    const style = s.unreachable ? 'unreachable' : s.failed ? 'failed' : s.changed ? 'changed' : 'ok';
    const f = (k: keyof HostStats, st: Parameters<Paint>[0]): string => (s[k] ? paint(st, `${k}=${s[k]}`) : `${k}=0`);
    return `${paint(style, h.padEnd(width))} : ${f('ok', 'ok')}  ${f('changed', 'changed')}  ${f('unreachable', 'unreachable')}  ${f('failed', 'failed')}  ${f('skipped', 'skipped')}  ${f('rescued', 'ok')}  ${f('ignored', 'skipped')}`;
  });
}

export function banner(title: string, paint: Paint): string {
  return paint('bold', `${title} ${'*'.repeat(Math.max(3, 72 - title.length))}`);
}

export const CHECK_MODE_LINE = 'CHECK MODE: nothing will be changed';

/** PLAY [name], with the batch (and its hosts, when asked) under serial. */
export function playTitle(e: Extract<RunEvent, { type: 'play' }>, withHosts: boolean): string {
  const batch = e.batch ? ` (batch ${e.batch.index}/${e.batch.count}${withHosts ? `: ${e.hosts.join(', ')}` : ''})` : '';
  return `PLAY [${e.name}]${batch}`;
}
