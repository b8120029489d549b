// Plan once, then run the plan. The plan holds every play's hosts and, for every task, its node, the scope it
// inherits (play, role, blocks), its tags, its label, whether --tags/--skip-tags select it and its place for
// --start-at-task. --list-tasks, --list-tags, the unknown-tag warning and the runner all read it.
import type { HostName } from '../types';
import type { Inventory } from '../inventory/types';
import type { BlockNode, Handler, HostView, Node, Play, Playbook, RoleUse, SetFactNode, TaskNode, Vars } from '../dsl';
import { ALL_TAGS, inheritTags, selected, unknownTags, type TagFilter } from '../tags';
import { RoleVars } from './role-vars';
import { checkPlan } from './preflight';

/** What a node inherits from its play, its role and the blocks around it. */
export interface Scope {
  readonly play: Play;
  readonly role?: RoleUse;
  readonly tags: readonly string[];
  readonly when: readonly ((h: HostView<never>) => boolean)[];
  readonly become?: boolean;
}

interface PlannedBase {
  readonly scope: Scope;
  /** Its own tags and the inherited ones. */
  readonly tags: readonly string[];
  /** `role : name` inside a role, else the name: how listings and --start-at-task name it. */
  readonly label: string;
  /** Selected by --tags/--skip-tags. */
  readonly selected: boolean;
}

export interface PlannedTask extends PlannedBase {
  readonly kind: 'task';
  readonly node: TaskNode<never>;
  /** Its place in the playbook (plays, then tasks in order, blocks' rescue and always included). */
  readonly index: number;
}

export interface PlannedSetFact extends PlannedBase {
  readonly kind: 'setFact';
  readonly node: SetFactNode<never>;
  readonly index: number;
}

export interface PlannedBlock {
  readonly kind: 'block';
  readonly node: BlockNode<never>;
  readonly tasks: readonly PlannedStep[];
  readonly rescue?: readonly PlannedStep[];
  readonly always?: readonly PlannedStep[];
}

export interface PlannedFlush {
  readonly kind: 'flush';
}

export type PlannedStep = PlannedTask | PlannedSetFact | PlannedBlock | PlannedFlush;

export interface PlannedHandler extends PlannedBase {
  readonly handler: Handler<never>;
  readonly node: TaskNode<never>;
}

export interface PlannedPlay {
  readonly play: Play;
  readonly hosts: readonly HostName[];
  /** pre_tasks, a flush, each role's tasks, tasks, a flush, post_tasks, a flush. */
  readonly steps: readonly PlannedStep[];
  /** Role handlers in role order, then the play's own: the order they run in at a flush. */
  readonly handlers: readonly PlannedHandler[];
}

export interface PlanOptions {
  readonly inventory: Inventory;
  readonly limit?: string;
  readonly tags?: TagFilter;
  readonly startAtTask?: string;
  readonly extraVars?: Vars;
  readonly check?: boolean;
  /**
   * 'structure' checks handler names only, without role variables and module preflight (they read variable
   * values, secrets too): for listings and --syntax-check, which need no secret. Default 'all'.
   */
  readonly checks?: 'all' | 'structure';
}

export interface Plan {
  readonly playbook: Playbook;
  readonly plays: readonly PlannedPlay[];
  readonly inventory: Inventory;
  readonly limit?: string;
  readonly extraVars: Vars;
  readonly check: boolean;
  /** Every tag a task carries (handlers aside), for --list-tags and the unknown-tag warning. */
  readonly knownTags: ReadonlySet<string>;
  /** Tags given to --tags/--skip-tags that no task carries (Ansible warns about them). */
  readonly unknownTags: readonly string[];
  /** --start-at-task: the name, and the indices of the tasks it names (by name or label). */
  readonly startAt?: { readonly name: string; readonly indices: ReadonlySet<number> };
  readonly roleVars: RoleVars;
}

/** The plan of a playbook, checked as far as it can be without a host (throws ConfigError). */
export function planPlaybook(pb: Playbook, o: PlanOptions): Plan {
  const plan = buildPlan(pb, o);
  checkPlan(plan, o.checks ?? 'all');
  return plan;
}

function buildPlan(pb: Playbook, o: PlanOptions): Plan {
  const { inventory, limit } = o;
  if (limit) inventory.select(limit); // an unknown --limit name stops the run even if no play uses it
  const filter = o.tags ?? ALL_TAGS;
  let next = 0;
  const startIndices = new Set<number>();
  const base = (scope: Scope, own: readonly string[] | undefined, name: string): PlannedBase => {
    const tags = inheritTags(scope.tags, own);
    return { scope, tags, label: scope.role ? `${scope.role.role.name} : ${name}` : name, selected: selected(tags, filter) };
  };
  const indexed = (b: PlannedBase, name: string): number => {
    const index = next++;
    if (o.startAtTask !== undefined && (name === o.startAtTask || b.label === o.startAtTask)) startIndices.add(index);
    return index;
  };
  const steps = (nodes: readonly Node<never>[], scope: Scope): PlannedStep[] =>
    nodes.map((node): PlannedStep => {
      switch (node.kind) {
        case 'flush':
          return node;
        case 'task': {
          const b = base(scope, node.opts.tags, node.opts.name);
          return { kind: 'task', node, ...b, index: indexed(b, node.opts.name) };
        }
        case 'setFact': {
          const b = base(scope, node.tags, node.name);
          return { kind: 'setFact', node, ...b, index: indexed(b, node.name) };
        }
        case 'block': {
          const inner: Scope = {
            ...scope,
            tags: inheritTags(scope.tags, node.tags),
            when: node.when ? [...scope.when, node.when] : scope.when,
            become: node.become ?? scope.become,
          };
          const tasks = steps(node.tasks, inner);
          const rescue = node.rescue && steps(node.rescue, inner);
          const always = node.always && steps(node.always, inner);
          return { kind: 'block', node, tasks, rescue, always };
        }
      }
    });
  const plays = pb.plays.map((play): PlannedPlay => {
    const ps: Scope = { play, tags: play.tags ?? [], when: [], become: play.become };
    const roleScopes = new Map(play.roles.map((use) => [use, roleScope(play, use)] as const));
    const flush: PlannedFlush = { kind: 'flush' };
    return {
      play,
      hosts: selectHosts(play, inventory, limit),
      steps: [
        ...steps(play.preTasks ?? [], ps),
        flush,
        ...play.roles.flatMap((use) => steps(use.role.tasks, roleScopes.get(use)!)),
        ...steps(play.tasks ?? [], ps),
        flush,
        ...steps(play.postTasks ?? [], ps),
        flush,
      ],
      handlers: [
        ...play.roles.flatMap((use) => use.role.handlers.map((h) => planHandler(h, roleScopes.get(use)!, base))),
        ...(play.handlers ?? []).map((h) => planHandler(h, ps, base)),
      ],
    };
  });
  const knownTags = new Set(plays.flatMap((p) => plannedTasks(p.steps).flatMap((t) => t.tags)));
  return {
    playbook: pb,
    plays,
    inventory,
    limit,
    extraVars: o.extraVars ?? {},
    check: !!o.check,
    knownTags,
    unknownTags: unknownTags(filter, knownTags),
    startAt: o.startAtTask === undefined ? undefined : { name: o.startAtTask, indices: startIndices },
    roleVars: new RoleVars(inventory, o.extraVars ?? {}),
  };
}

function roleScope(play: Play, use: RoleUse): Scope {
  return { play, role: use, tags: [...(play.tags ?? []), ...use.tags, ...use.role.tags], when: [], become: play.become };
}

function planHandler(handler: Handler<never>, scope: Scope, base: (s: Scope, own: readonly string[] | undefined, name: string) => PlannedBase): PlannedHandler {
  return { handler, node: handler.task, ...base(scope, handler.task.opts.tags, handler.name) };
}

/** Resolve a play's hosts (pattern ∩ --limit). Unknown names stop the run here. */
function selectHosts(play: Play, inventory: Inventory, limit?: string): HostName[] {
  const hosts = inventory.select(play.hosts);
  if (!limit) return hosts;
  const allowed = new Set(inventory.select(limit));
  return hosts.filter((h) => allowed.has(h));
}

/** Every task and setFact under `steps`, in order: blocks flattened (tasks, rescue, always). */
export function plannedTasks(steps: readonly PlannedStep[]): (PlannedTask | PlannedSetFact)[] {
  return steps.flatMap((s) => {
    switch (s.kind) {
      case 'flush':
        return [];
      case 'block':
        return [...plannedTasks(s.tasks), ...plannedTasks(s.rescue ?? []), ...plannedTasks(s.always ?? [])];
      default:
        return [s];
    }
  });
}
