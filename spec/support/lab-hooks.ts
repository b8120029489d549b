// Mocha root hooks (loaded through .mocharc.json "require"): when a spec started the lab, take it
// down at the end of the run, also after failures, and on Ctrl-C / SIGTERM. VPHALAB_KEEP=1 keeps it,
// and so does another test run still using it.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE, REPO_ROOT } from '../../lab/config';
import { unregisterLabUser } from '../../lab/users';
import { labWasStarted, shouldTakeLabDown, stopLabIfStarted } from './lab';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await stopLabIfStarted();
  },
};

/**
 * On a signal the event loop may never get to an async `down`: run it as a child, synchronously.
 * A lock this process holds (an `up` cut short) is released first, or the child would wait for it.
 */
function downOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    if (labWasStarted()) unregisterLabUser();
    if (labWasStarted() && shouldTakeLabDown()) {
      process.stderr.write(`\nlab: ${signal}: taking the lab down\n`);
      const owner = (() => {
        try {
          return Number(readFileSync(LOCK_FILE, 'utf8').trim());
        } catch {
          return 0;
        }
      })();
      if (owner === process.pid) rmSync(LOCK_FILE, { force: true });
      spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'lab', 'cli.ts'), 'down'], {
        cwd: REPO_ROOT,
        stdio: 'inherit',
        timeout: 180_000,
      });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

process.once('exit', () => {
  if (labWasStarted()) unregisterLabUser();
});
downOnSignal('SIGINT');
downOnSignal('SIGTERM');
