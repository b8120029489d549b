// debug: print a message, change nothing (Ansible's debug msg=): reports that are computed from what earlier
// tasks registered, such as what an adoption would change.
import type { ModuleResult } from '../engine/types';
import { defineModule } from './lib/define';

export interface DebugParams {
  readonly msg: string;
}

export const debug = defineModule<DebugParams, ModuleResult>({
  name: 'debug',
  checkMode: true,
  describe: (p) => p.msg,
  run: async (p) => ({ changed: false, msg: p.msg }),
});
