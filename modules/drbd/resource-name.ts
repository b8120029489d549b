// The one rule for a DRBD resource name, shared by the drbd modules and the roles' variable schemas.
import { ConfigError } from '../../engine/errors';

/**
 * Letters, digits, '_', '.' and '-', starting with a letter, digit or '_': a word drbdadm and pcs cannot take
 * for an option, and a file /etc/drbd.d/NAME.res that drbd.conf's `include "drbd.d/*.res"` does not skip.
 */
export const DRBD_RESOURCE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function checkResourceName(name: string, module: string): void {
  if (!DRBD_RESOURCE_NAME.test(name)) throw new ConfigError(`${module}: invalid resource name ${JSON.stringify(name)}`);
}
