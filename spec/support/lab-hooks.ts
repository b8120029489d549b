// Mocha root hooks (loaded through .mocharc.json "require"): when a spec started the lab, take it
// down at the end of the run, also after failures, and on Ctrl-C / SIGTERM. VPHALAB_KEEP=1 keeps it,
// and so does another test run still using it.
import { unregisterLabUser } from '../../lab/users';
import { labWasStarted, shouldTakeLabDown, stopLabIfStarted, takeLabDownSync } from './lab';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await stopLabIfStarted();
  },
};

/** On a signal the event loop may never get to an async `down`: takeLabDownSync runs it as a child. */
function downOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    if (labWasStarted()) unregisterLabUser();
    if (labWasStarted() && shouldTakeLabDown()) {
      process.stderr.write(`\nlab: ${signal}: taking the lab down\n`);
      takeLabDownSync();
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

process.once('exit', () => {
  if (labWasStarted()) unregisterLabUser();
});
downOnSignal('SIGINT');
downOnSignal('SIGTERM');
