// File modes as users write them (0o640 or '0640') and as the host reports them (stat %a: "640").
import { ConfigError } from '../../engine/errors';

/** A numeric mode such as 0o640, or an octal string such as '0640' / '640'. Symbolic modes are not accepted. */
export type FileMode = number | string;

export function parseMode(mode: FileMode, what: string): number {
  const n = typeof mode === 'number' ? mode : /^[0-7]{3,4}$/.test(mode) ? Number.parseInt(mode, 8) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o7777) {
    throw new ConfigError(`${what}: mode ${JSON.stringify(mode)} is not an octal mode such as 0o644 or '0644'`);
  }
  return n;
}

/** Four-digit octal, the way sysadmins read modes: 0644. */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
