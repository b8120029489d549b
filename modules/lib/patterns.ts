// Regular expressions given as parameters (RegExp or source string), checked in preflight.
import { ConfigError } from '../../engine/errors';
import { toRegExp } from './text/lines';

export function regexParam(value: RegExp | string | undefined, what: string): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return toRegExp(value);
  } catch (e) {
    throw new ConfigError(`${what}: invalid regular expression ${JSON.stringify(String(value))}: ${(e as Error).message}`);
  }
}

/** insertafter: 'EOF' or a pattern; insertbefore: 'BOF' or a pattern. */
export function anchorParam<K extends 'EOF' | 'BOF'>(value: K | RegExp | string | undefined, keyword: K, what: string): K | RegExp | undefined {
  if (value === undefined || value === keyword) return value as K | undefined;
  return regexParam(value, what);
}
