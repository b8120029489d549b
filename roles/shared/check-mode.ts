// --check runs every task without changing anything, so a step that builds on what an earlier task would only
// now install or write (packages, a resource file, a device) finds it missing: such steps are skipped under
// --check, as Ansible roles do with `when: not ansible_check_mode`, instead of failing on their absence.
import type { HostView } from '../../engine/dsl';

/** Under --check: did any of these registered results report a change it did not make? */
export function pendingInCheckMode(h: HostView<unknown>, ...registered: readonly string[]): boolean {
  return h.checkMode && registered.some((name) => h.registered(name)?.changed === true);
}
