// Parameter checks shared by the file modules; they run in preflight, before any host is touched.
import { ConfigError } from '../../engine/errors';
import { parseMode, type FileMode } from './mode';
import type { WantedAttributes } from './attributes';

/** Ownership and permissions as a task writes them. */
export interface FileAttributeParams {
  /** 0o640 or '0640'. Left as it is (or the umask's, for new files) when not given. */
  readonly mode?: FileMode;
  /** User name or numeric uid. */
  readonly owner?: string;
  /** Group name or numeric gid. */
  readonly group?: string;
}

export function absolutePath(p: string, what: string): string {
  if (!p.startsWith('/')) throw new ConfigError(`${what}: path ${JSON.stringify(p)} must be absolute`);
  if (/[\n\0]/.test(p)) throw new ConfigError(`${what}: path ${JSON.stringify(p)} contains a newline or NUL`);
  return p;
}

export function wantedAttributes(p: FileAttributeParams, what: string): WantedAttributes {
  for (const [k, v] of [['owner', p.owner], ['group', p.group]] as const) {
    if (v !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(v)) throw new ConfigError(`${what}: ${k} ${JSON.stringify(v)} is not a valid name or id`);
  }
  return { mode: p.mode === undefined ? undefined : parseMode(p.mode, what), owner: p.owner, group: p.group };
}
