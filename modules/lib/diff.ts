// Before/after pairs for --diff: file contents as text, settings as "key: value" lines.
import type { FileDiff } from '../../engine/types';
import { createHash } from 'node:crypto';

export interface SettingChange {
  readonly key: string;
  readonly before: string;
  readonly after: string;
}

/** A settings change as a diff: `key: old` lines before, `key: new` lines after. */
export function settingsDiff(label: string, changes: readonly SettingChange[]): FileDiff {
  return {
    path: label,
    before: changes.map((c) => `${c.key}: ${c.before}\n`).join(''),
    after: changes.map((c) => `${c.key}: ${c.after}\n`).join(''),
  };
}

/** One line for msg: "mode: 0644 -> 0600, owner: root -> mysql". */
export function summarize(changes: readonly SettingChange[]): string {
  return changes.map((c) => `${c.key}: ${c.before} -> ${c.after}`).join(', ');
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined when they are not UTF-8 text (NUL bytes or invalid sequences). */
export function asText(data: Buffer): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/** How a file's content appears in a diff; binary or unread content is summarized, absent is empty. */
export function shownContent(data: Buffer | undefined, known?: { size?: number; sha256?: string }): string {
  if (data === undefined) {
    return known?.sha256 ? `(${known.size ?? '?'} bytes, sha256 ${known.sha256.slice(0, 16)}…, not shown)\n` : '';
  }
  return asText(data) ?? `(binary, ${data.length} bytes, sha256 ${sha256(data).slice(0, 16)}…)\n`;
}

export function contentDiff(
  path: string,
  before: Buffer | undefined,
  after: Buffer | undefined,
  beforeKnown?: { size?: number; sha256?: string },
): FileDiff {
  return { path, before: shownContent(before, beforeKnown), after: shownContent(after) };
}
