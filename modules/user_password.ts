// user_password: a local user's password (e.g. hacluster's, which pcs host auth needs), changed only
// when the current hash does not already verify it. Everything happens on the host in one command:
// the password travels on stdin only, the current hash never leaves the host.
import { randomBytes } from 'node:crypto';
import type { ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { q } from '../engine/shell';
import { defineModule } from './lib/define';
import { probe } from './lib/exec';
import { settingsDiff } from './lib/diff';

export interface UserPasswordParams {
  readonly user: string;
  /** The password in clear (from a vault or the environment); hashed on the host (SHA-512 crypt). */
  readonly password?: string;
  /** Or a ready crypt(3) hash ($6$..., $y$...), set as it is with `chpasswd -e`. */
  readonly hash?: string;
}

export interface UserPasswordResult extends ModuleResult {
  readonly user: string;
}

// Exit codes of the script below, for errors a sysadmin can act on.
const NO_USER = 3;
const NO_SHADOW = 4;
const NO_VERIFIER = 5;

/**
 * Reads the user's shadow entry; for a clear password, re-hashes stdin with the current hash as
 * salt (perl or python3 crypt(3), which know every scheme libc knows; openssl for $1/$5/$6);
 * prints `same`, or (unless check) sets it with `chpasswd -e` and prints `changed` (`differ` under
 * check). A new clear password is hashed on the host as SHA-512 crypt with `salt`
 * (openssl passwd -6, else perl or python3 crypt), so PAM's password policy never sees it.
 */
export function passwordScript(user: string, mode: 'password' | 'hash', check: boolean, salt = ''): string {
  const verify =
    mode === 'hash'
      ? '[ "$new" = "$cur" ] && { echo same; exit 0; }'
      : [
          'case "$cur" in',
          "'$'*)",
          '  if command -v perl >/dev/null 2>&1; then',
          `    calc=$(printf '%s' "$new" | H="$cur" perl -e 'local $/; my $p = <STDIN>; my $c = crypt($p, $ENV{H}); print defined $c ? $c : ""')`,
          '  elif command -v python3 >/dev/null 2>&1; then',
          `    calc=$(printf '%s' "$new" | H="$cur" python3 -W ignore -c 'import crypt, os, sys; sys.stdout.write(crypt.crypt(sys.stdin.read(), os.environ["H"]) or "")')`,
          '  elif command -v openssl >/dev/null 2>&1; then',
          '    id=$(printf %s "$cur" | cut -d$ -f2); salt=$(printf %s "$cur" | cut -d$ -f3)',
          `    case "$id" in 1|5|6) calc=$(printf '%s' "$new" | openssl passwd -"$id" -salt "$salt" -stdin 2>/dev/null);; *) calc=;; esac`,
          `  else echo "no perl, python3 or openssl to verify the current password" >&2; exit ${NO_VERIFIER}; fi`,
          '  [ -n "$calc" ] && [ "$calc" = "$cur" ] && { echo same; exit 0; }',
          '  ;;',
          'esac',
        ].join('\n');
  return [
    `u=${q(user)}`,
    `[ -r /etc/shadow ] || { echo "cannot read /etc/shadow: run the task with become" >&2; exit ${NO_SHADOW}; }`,
    `line=$(getent shadow "$u") || { echo "user $u does not exist" >&2; exit ${NO_USER}; }`,
    'cur=$(printf "%s\\n" "$line" | cut -d: -f2)',
    'new=$(cat)',
    verify,
    check ? 'echo differ; exit 0' : mode === 'hash' ? 'h=$new' : hashScript(salt),
    ...(check ? [] : [`printf '%s:%s\\n' "$u" "$h" | chpasswd -e || exit $?`]),
    'echo changed',
  ].join('\n');
}

/** `h=` the SHA-512 crypt of $new with the given salt, by whichever tool the host has. */
function hashScript(salt: string): string {
  if (!/^[A-Za-z0-9./]{8,16}$/.test(salt)) throw new Error('user_password: bad salt');
  const is6 = `case "$h" in '$6$${salt}$'*) ok=1;; *) ok=;; esac`;
  return [
    `s=${salt}`,
    `h=$(printf '%s\\n' "$new" | openssl passwd -6 -salt "$s" -stdin 2>/dev/null); ${is6}`,
    `[ -n "$ok" ] || { h=$(printf '%s' "$new" | S="$s" perl -e 'local $/; my $p = <STDIN>; print crypt($p, "\\$6\\$$ENV{S}\\$")' 2>/dev/null); ${is6}; }`,
    `[ -n "$ok" ] || { h=$(printf '%s' "$new" | S="$s" python3 -W ignore -c 'import crypt, os, sys; sys.stdout.write(crypt.crypt(sys.stdin.read(), "$6$" + os.environ["S"] + "$") or "")' 2>/dev/null); ${is6}; }`,
    `[ -n "$ok" ] || { echo "no openssl (1.1.1+), perl or python3 to hash the password with" >&2; exit ${NO_VERIFIER}; }`,
  ].join('\n');
}

/** 16 characters of crypt(3)'s salt alphabet. */
export function newSalt(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./';
  return [...randomBytes(16)].map((b) => alphabet[b % 64]).join('');
}

function check(p: UserPasswordParams): 'password' | 'hash' {
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(p.user)) throw new ConfigError(`user_password: ${JSON.stringify(p.user)} is not a user name`);
  if ((p.password === undefined) === (p.hash === undefined)) throw new ConfigError(`user_password ${p.user}: give exactly one of password or hash`);
  const value = p.password ?? p.hash ?? '';
  if (value === '') throw new ConfigError(`user_password ${p.user}: the password is empty`);
  if (/[\r\n\0]/.test(value)) throw new ConfigError(`user_password ${p.user}: the password contains a newline or NUL`);
  if (p.hash !== undefined && !/^\$[0-9a-z]+\$[^:]+$/.test(p.hash)) throw new ConfigError(`user_password ${p.user}: hash is not a crypt(3) hash like $6$salt$...`);
  return p.password !== undefined ? 'password' : 'hash';
}

export const userPassword = defineModule<UserPasswordParams, UserPasswordResult, 'password' | 'hash'>({
  name: 'user_password',
  checkMode: true,
  describe: (p) => `user_password ${p.user}`,
  preflight: check,
  async run(p, ctx, mode) {
    const secret = (p.password ?? p.hash)!;
    ctx.secret(secret);
    const r = await probe(ctx, passwordScript(p.user, mode, ctx.check, newSalt()), { stdin: secret });
    const out = r.stdout.trim();
    if (r.code !== 0 || !['same', 'changed', 'differ'].includes(out)) {
      const why = r.stderr.trim().split('\n').slice(-3).join(' ') || 'no output';
      throw new ModuleError(`setting the password of ${p.user} on ${ctx.host} failed (exit ${r.code}): ${why}`, { rc: r.code, stderr: r.stderr });
    }
    if (out === 'same') return { changed: false, user: p.user, msg: `password of ${p.user} is already set` };
    const diffs = [settingsDiff(`user ${p.user}`, [{ key: 'password', before: '(different)', after: '(wanted)' }])];
    return { changed: true, user: p.user, diffs, msg: `${out === 'differ' ? 'would change' : 'changed'} the password of ${p.user}` };
  },
});
