// Owner, group and mode: what differs from the wanted values, and the one command that fixes it.
import { sh } from '../../engine/shell';
import type { RemoteFile } from './remote-file';
import { sameOwner } from './remote-file';
import type { SettingChange } from './diff';
import { formatMode } from './mode';

export interface WantedAttributes {
  readonly mode?: number;
  /** A user name or numeric uid. */
  readonly owner?: string;
  /** A group name or numeric gid. */
  readonly group?: string;
}

export function attributeChanges(cur: RemoteFile, want: WantedAttributes): SettingChange[] {
  const out: SettingChange[] = [];
  if (want.owner !== undefined && !sameOwner(want.owner, cur.owner, cur.uid)) {
    out.push({ key: 'owner', before: cur.owner ?? '', after: want.owner });
  }
  if (want.group !== undefined && !sameOwner(want.group, cur.group, cur.gid)) {
    out.push({ key: 'group', before: cur.group ?? '', after: want.group });
  }
  // A symlink's own mode means nothing on Linux; only its ownership is set.
  if (want.mode !== undefined && cur.kind !== 'link' && cur.mode !== want.mode) {
    out.push({ key: 'mode', before: cur.mode === undefined ? '' : formatMode(cur.mode), after: formatMode(want.mode) });
  }
  return out;
}

/** chown before chmod: chown clears setuid/setgid bits, so the mode must come last. */
export function attributeCommand(path: string, want: WantedAttributes, changes: readonly SettingChange[], isLink = false): string {
  const parts: string[] = [];
  const owner = changes.some((c) => c.key === 'owner') ? want.owner : undefined;
  const group = changes.some((c) => c.key === 'group') ? want.group : undefined;
  if (owner !== undefined || group !== undefined) {
    const spec = `${owner ?? ''}${group !== undefined ? ':' + group : ''}`;
    parts.push(isLink ? sh`chown -h ${spec} -- ${path}` : sh`chown ${spec} -- ${path}`);
  }
  if (want.mode !== undefined && changes.some((c) => c.key === 'mode')) parts.push(sh`chmod ${formatMode(want.mode)} -- ${path}`);
  return parts.join(' && ');
}

/** The owner/group to hand to put() so a rewrite keeps what the file had (names, or ids when unnamed). */
export function keptOwnership(cur: RemoteFile): { owner?: string; group?: string } {
  if (cur.kind === 'absent') return {};
  const pick = (name: string | undefined, id: number | undefined): string | undefined =>
    name && name !== 'UNKNOWN' ? name : id === undefined ? undefined : String(id);
  return { owner: pick(cur.owner, cur.uid), group: pick(cur.group, cur.gid) };
}
