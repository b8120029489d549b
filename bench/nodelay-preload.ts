// `ts-node -r ./bench/nodelay-preload.ts PLAYBOOK.ts ...`: run a playbook with TCP_NODELAY forced (see nodelay.ts).
import { forceNoDelay } from './nodelay';

forceNoDelay();
