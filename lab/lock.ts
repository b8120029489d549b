// One lab command at a time on this machine (a test run and a developer's `lab up` may meet):
// a lock file holding the owner's PID; a dead owner's lock is taken over.
import { promises as fs } from 'node:fs';
import { LOCK_FILE, STATE_DIR } from './config';
import { alive } from './pids';
import { say, sleep } from './proc';

let queue: Promise<unknown> = Promise.resolve();

async function acquire(): Promise<void> {
  await fs.mkdir(STATE_DIR, { recursive: true });
  let told = false;
  for (;;) {
    try {
      await fs.writeFile(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await fs.readFile(LOCK_FILE, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(owner) || owner <= 0 || !(await alive(owner))) {
      await fs.rm(LOCK_FILE, { force: true });
      continue;
    }
    if (!told) say(`waiting for another lab command (pid ${owner}) to finish`);
    told = true;
    await sleep(250);
  }
}

/** Not re-entrant: public lab operations take it, their helpers do not. Calls in one process queue up. */
export async function withLabLock<T>(fn: () => Promise<T>): Promise<T> {
  const turn = queue.then(async () => {
    await acquire();
    try {
      return await fn();
    } finally {
      await fs.rm(LOCK_FILE, { force: true });
    }
  });
  queue = turn.catch(() => undefined);
  return turn;
}
