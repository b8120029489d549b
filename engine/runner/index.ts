// The runner: plan a playbook once, then run the plan. Who owns what in this folder:
//   plan.ts           the plan: plays' hosts, every task's scope, tags, label, selection, --start-at-task index
//   preflight.ts      what the plan checks before any host is touched (role variables, notify, module preflight)
//   vars.ts           variable precedence (inventory < play < role use < setFact < -e), the only merge
//   role-vars.ts      a role's variables, parsed once per host and role use, again after a changing setFact
//   host-view.ts      the one HostView factory, for plan-time checks and for the run
//   run.ts            the linear strategy: plays, serial batches, blocks, handlers, lockstep tasks
//   task-executor.ts  one task on one host: when, delegateTo, loop, check mode, retries, register, notify
//   task-check.ts     whether a task runs under --check (the run's flag, or the task's checkMode: false)
//   context-on.ts     ModuleContext.on(host): a task's context for reaching another host (cross-host modules)
//   probe-batch.ts    the state of consecutive tasks read in one command per host; which tasks share it, when
//                     an answer is stale (the probe contract itself is modules/lib/define.ts's)
//   host-state.ts     what the run knows of a host (connection, facts, registered results, set facts)
//   events.ts         the event stream every output renders (engine/secrets/redact.ts masks secrets in it)
//   pool.ts, verbose-connection.ts   --forks and -v helpers
// Tag selection itself is engine/tags.ts's.
export { planPlaybook, type Plan, type PlanOptions } from './plan';
export { runPlan, runPlaybook, type RunOptions, type RunSettings, type RunSummary } from './run';
