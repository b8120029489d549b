// Everything checked before any host is touched: role variables, handler names, and each module call the
// plan can already build (templates render, paths are absolute...). Throws ConfigError.
import type { Action, ModuleResult } from '../types';
import type { HostView, TaskOptions } from '../dsl';
import { ConfigError } from '../errors';
import { BEFORE_RUN, HostViews } from './host-view';
import { plannedTasks, type Plan, type PlannedHandler, type PlannedTask, type Scope } from './plan';

export function checkPlan(plan: Plan, checks: 'all' | 'structure' = 'all'): void {
  if (checks === 'structure') return checkNotify(plan);
  plan.roleVars.checkAll(plan.plays);
  checkNotify(plan);
  preflightActions(plan);
}

/** notify names must exist among the play's handlers (or their listen topics). */
function checkNotify(plan: Plan): void {
  for (const p of plan.plays) {
    const known = new Set(p.handlers.flatMap(({ handler }) => [handler.name, ...(handler.listen ?? [])]));
    for (const t of [...plannedTasks(p.steps), ...p.handlers]) {
      if (t.node.kind !== 'task') continue;
      for (const n of t.node.opts.notify ?? []) {
        if (!known.has(n)) {
          throw new ConfigError(
            `play '${p.play.name}', task '${t.label}' notifies '${n}', but no handler has that name or listen topic (handlers: ${[...known].join(', ') || 'none'})`,
          );
        }
      }
    }
  }
}

/**
 * Run the preflight() of every selected module call that can be built without a host, for each host: a
 * template error or a bad parameter stops the run before any host is touched.
 */
function preflightActions(plan: Plan): void {
  const views = new HostViews({ inventory: plan.inventory, extraVars: plan.extraVars, roleVars: plan.roleVars, state: BEFORE_RUN, checkMode: plan.check });
  for (const p of plan.plays) {
    const candidates = [...plannedTasks(p.steps), ...p.handlers].filter((t): t is PlannedTask | PlannedHandler => t.node.kind === 'task' && t.selected);
    for (const host of p.hosts) {
      for (const t of candidates) {
        const view = views.of(host, t.scope, p.hosts);
        for (const action of actionsFor(t.node.opts, view, t.scope.when)) action.preflight?.();
      }
    }
  }
}

function actionsFor(opts: TaskOptions<never, ModuleResult, unknown>, view: HostView<never>, when: Scope['when']): Action[] {
  try {
    if ([...when, opts.when].some((w) => w && !w(view))) return [];
    const items = opts.loop === undefined ? [undefined] : typeof opts.loop === 'function' ? opts.loop(view) : opts.loop;
    return items.map((item) => (typeof opts.action === 'function' ? opts.action(view, item) : opts.action));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return []; // needs facts or registered results (NeedsRunTime), or state only a run has: checked then
  }
}
