// For modules whose check-mode support depends on their parameters (command with creates/removes):
// the Action says so per call, and the runner skips the others under --check.
import type { ModuleResult } from '../../engine/types';
import type { ModuleFactory } from './define';

export function checkModeWhen<P, R extends ModuleResult>(factory: ModuleFactory<P, R>, capable: (params: P) => boolean): ModuleFactory<P, R> {
  const f = (params: P) => ({ ...factory(params), checkMode: capable(params) });
  return Object.assign(f, { moduleName: factory.moduleName });
}
