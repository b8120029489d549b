// Whether a task runs under --check: the run's flag, unless the task opts out (checkMode: false, Ansible's
// check_mode: false). The executor and the probe batch both ask here.
import type { TaskOptions } from '../dsl';
import type { ModuleResult } from '../types';

export const checksTask = (check: boolean, o: Pick<TaskOptions<unknown, ModuleResult, unknown>, 'checkMode'>): boolean => check && o.checkMode !== false;
