// `ts-node -r ./bench/exit-race-preload.ts PLAYBOOK.ts ...`: run with the exit-status race worked around (see exit-race.ts).
import { installStickyExit } from './exit-race';

installStickyExit();
