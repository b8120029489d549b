// assert: stop a host (or, when decidable from variables alone, the whole run before it starts) with a message.
import type { ModuleResult } from '../engine/types';
import { ConfigError, ModuleError } from '../engine/errors';
import { defineModule } from './lib/define';

export interface AssertParams {
  readonly that: boolean;
  /** Says what is wrong and what to change, e.g. "preferred_node 'vprotect3' is not in this play". */
  readonly msg: string;
  /** What to report when it holds (Ansible's success_msg), for a check whose passing is itself the news. */
  readonly successMsg?: string;
}

const holds = (p: AssertParams): ModuleResult => ({ changed: false, msg: p.successMsg ?? 'assertion holds' });

export const assertThat = defineModule<AssertParams, ModuleResult, void, boolean>({
  name: 'assert',
  checkMode: true,
  describe: (p) => p.msg,
  // Evaluated before any host is touched when the condition needs no facts: a bad variable stops the run early.
  planCheck(p) {
    if (!p.that) throw new ConfigError(p.msg);
  },
  // Nothing to read: a probe batch decides it without a command (and run() reports a failure).
  probe: (p) => ({ reads: [], writes: [], state: () => p.that, settled: (that) => (that ? holds(p) : undefined) }),
  async run(p) {
    if (!p.that) throw new ModuleError(p.msg);
    return holds(p);
  },
});
