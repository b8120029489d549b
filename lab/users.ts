// Test runs that use the lab right now (one file per process under STATE_DIR/users): a run that
// ends takes the lab down only when no other live run still uses it. `lab down` ignores this.
// Synchronous on purpose: also called from signal handlers.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { STATE_DIR } from './config';

const USERS_DIR = path.join(STATE_DIR, 'users');

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function registerLabUser(pid: number = process.pid): void {
  mkdirSync(USERS_DIR, { recursive: true });
  writeFileSync(path.join(USERS_DIR, String(pid)), `${process.argv.join(' ')}\n`);
}

export function unregisterLabUser(pid: number = process.pid): void {
  rmSync(path.join(USERS_DIR, String(pid)), { force: true });
}

/** Other processes registered and still alive; stale entries are dropped on the way. */
export function otherLabUsers(pid: number = process.pid): number[] {
  if (!existsSync(USERS_DIR)) return [];
  const others: number[] = [];
  for (const name of readdirSync(USERS_DIR)) {
    const other = Number(name);
    if (!Number.isInteger(other) || other === pid) continue;
    if (isAlive(other)) others.push(other);
    else rmSync(path.join(USERS_DIR, name), { force: true });
  }
  return others;
}

/**
 * Why a run must not switch the lab to `wanted` now, or undefined when it may: `up` on another tier replaces the
 * hosts, so while other live runs use the lab on its current tier the switch would pull their hosts from under them.
 */
export function tierSwitchRefusal(others: readonly number[], current: string, wanted: string): string | undefined {
  if (others.length === 0 || current === wanted) return undefined;
  return `the lab runs the ${current} tier for another run (pid ${others.join(', ')}): starting the ${wanted} tier would replace its hosts under it. Wait for that run to end. To run one unit spec alone, use mocha --no-config with that file (the default .mocharc.json loads every integration spec)`;
}
