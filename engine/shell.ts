// Shell command building: every interpolated value is quoted, so a variable can never inject syntax.
import { quote } from 'shell-quote';

/** Quote one word for /bin/sh. */
export function q(word: string | number): string {
  return quote([String(word)]);
}

/** Tagged template: sh`drbdadm create-md ${res}` quotes each value; arrays become quoted words. */
export function sh(
  parts: TemplateStringsArray,
  ...values: ReadonlyArray<string | number | readonly (string | number)[]>
): string {
  let out = parts[0] ?? '';
  values.forEach((v, i) => {
    out += typeof v === 'object' ? v.map(q).join(' ') : q(v);
    out += parts[i + 1] ?? '';
  });
  return out;
}
