// Everything checked before any host is touched: host patterns, role variables, handler names, templates.
import type { Action, Facts, HostName } from '../types';
import type { Inventory } from '../inventory/types';
import type { Handler, HostInfo, HostView, Node, Play, Playbook, RoleUse, Vars } from '../dsl';
import { ConfigError } from '../errors';
import { selected, type TagFilter } from '../tags';

/** Where a node sits: its play, its role, and what it inherits from them and its blocks. */
export interface Scope {
  readonly play: Play;
  readonly role?: RoleUse;
  readonly tags: readonly string[];
  readonly when: readonly ((h: HostView<never>) => boolean)[];
  readonly become?: boolean;
}

export interface PlannedPlay {
  readonly play: Play;
  readonly hosts: readonly HostName[];
  /** Role handlers in role order, then the play's own: the order they run in at a flush. */
  readonly handlers: readonly { readonly handler: Handler<never>; readonly scope: Scope }[];
  /** The play as a sequence of (nodes, scope) sections: pre_tasks, roles, tasks, post_tasks, with flushes between. */
  readonly sections: readonly { readonly nodes: readonly Node<never>[]; readonly scope: Scope }[];
}

export function playScope(play: Play): Scope {
  return { play, tags: play.tags ?? [], when: [], become: play.become };
}

export function roleScope(play: Play, use: RoleUse): Scope {
  return { play, role: use, tags: [...(play.tags ?? []), ...use.tags, ...use.role.tags], when: [], become: play.become };
}

export function planPlay(play: Play, hosts: readonly HostName[]): PlannedPlay {
  const ps = playScope(play);
  const flush: Node<never>[] = [{ kind: 'flush' }];
  const sections = [
    { nodes: play.preTasks ?? [], scope: ps },
    { nodes: flush, scope: ps },
    ...play.roles.map((use) => ({ nodes: use.role.tasks, scope: roleScope(play, use) })),
    { nodes: play.tasks ?? [], scope: ps },
    { nodes: flush, scope: ps },
    { nodes: play.postTasks ?? [], scope: ps },
    { nodes: flush, scope: ps },
  ].filter((s) => s.nodes.length);
  const handlers = [
    ...play.roles.flatMap((use) => use.role.handlers.map((handler) => ({ handler, scope: roleScope(play, use) }))),
    ...(play.handlers ?? []).map((handler) => ({ handler, scope: ps })),
  ];
  return { play, hosts, handlers, sections };
}

/** Every task node under `nodes` with its inherited scope, in order (blocks flattened). */
export function* walkTasks(
  nodes: readonly Node<never>[],
  scope: Scope,
): Generator<{ readonly node: Node<never>; readonly scope: Scope }> {
  for (const node of nodes) {
    if (node.kind === 'block') {
      const inner: Scope = {
        ...scope,
        tags: [...scope.tags, ...(node.tags ?? [])],
        when: node.when ? [...scope.when, node.when] : scope.when,
        become: node.become ?? scope.become,
      };
      yield* walkTasks([...node.tasks, ...(node.rescue ?? []), ...(node.always ?? [])], inner);
    } else if (node.kind !== 'flush') {
      yield { node, scope };
    }
  }
}

export function taskTags(node: Node<never>, scope: Scope): string[] {
  const own = node.kind === 'task' ? node.opts.tags : node.kind === 'setFact' ? node.tags : undefined;
  return [...new Set([...scope.tags, ...(own ?? [])])];
}

export function taskLabel(name: string, scope: Scope): string {
  return scope.role ? `${scope.role.role.name} : ${name}` : name;
}

/** Resolve each play's hosts (pattern ∩ --limit). Unknown names stop the run here. */
export function selectHosts(play: Play, inventory: Inventory, limit?: string): HostName[] {
  const hosts = inventory.select(play.hosts);
  if (!limit) return hosts;
  const allowed = new Set(inventory.select(limit));
  return hosts.filter((h) => allowed.has(h));
}

/** Role variables as a host sees them: inventory < play vars < role-use vars < set facts < extra vars. */
export function roleInput(entryVars: Vars, play: Play, use: RoleUse, setFacts: Vars, extraVars: Vars): Vars {
  return { ...entryVars, ...(play.vars ?? {}), ...use.vars, ...setFacts, ...extraVars };
}

export function validateRoleVars(
  planned: readonly PlannedPlay[],
  inventory: Inventory,
  extraVars: Vars,
): void {
  const problems: string[] = [];
  for (const { play, hosts } of planned) {
    for (const use of play.roles) {
      for (const host of hosts) {
        const entry = inventory.hosts.get(host)!;
        const r = use.role.validate(roleInput(entry.vars, play, use, {}, extraVars));
        if (r.ok) continue;
        for (const i of r.issues) {
          const top = i.variable.split('.')[0] ?? i.variable;
          // Name the layer that won (roleInput's order): an inventory line would point at a value not used.
          const origin =
            top in extraVars ? '-e' : top in use.vars ? `the role's use in play '${play.name}'` : top in (play.vars ?? {}) ? `play '${play.name}' vars` : inventory.origin(host, top);
          const where = origin ? ` (set at ${origin})` : ' (set it in group_vars/ or host_vars/ of the inventory, or with -e)';
          problems.push(`role ${use.role.name}, host ${host}: variable '${i.variable}': ${i.message}${where}`);
        }
      }
    }
  }
  if (problems.length) {
    const shown = [...new Set(problems)];
    throw new ConfigError(`invalid role variables in ${inventory.source}:\n  ${shown.join('\n  ')}`);
  }
}

/** notify names must exist among the play's handlers (or their listen topics). */
export function validateNotify(planned: readonly PlannedPlay[]): void {
  for (const p of planned) {
    const known = new Set(p.handlers.flatMap(({ handler }) => [handler.name, ...(handler.listen ?? [])]));
    const nodes = [...p.sections.flatMap((s) => [...walkTasks(s.nodes, s.scope)]), ...p.handlers.map((h) => ({ node: h.handler.task, scope: h.scope }))];
    for (const { node, scope } of nodes) {
      if (node.kind !== 'task') continue;
      for (const n of node.opts.notify ?? []) {
        if (!known.has(n)) {
          throw new ConfigError(
            `play '${p.play.name}', task '${taskLabel(node.opts.name, scope)}' notifies '${n}', but no handler has that name or listen topic (handlers: ${[...known].join(', ') || 'none'})`,
          );
        }
      }
    }
  }
}

/** Raised by the preflight view when a callback needs run-time state; that task is then checked at run time. */
class NeedsRunTime extends Error {}

function preflightView(name: HostName, vars: Vars, inventory: Inventory, playHosts: readonly HostName[]): HostView<never> {
  const runtime = (): never => {
    throw new NeedsRunTime();
  };
  const info = (h: string): HostInfo => ({
    name: inventory.host(h),
    vars: inventory.hosts.get(inventory.host(h))!.vars,
    get facts(): Facts {
      return runtime();
    },
    registered: runtime,
  });
  const view: HostView<Vars> = {
    name,
    vars,
    get facts(): Facts {
      return runtime();
    },
    registered: runtime,
    hostvars: info,
    groups: Object.fromEntries(inventory.groups),
    playHosts,
    checkMode: false,
  };
  return view as unknown as HostView<never>;
}

/**
 * Render what can be rendered without a host: templates whose variables are all known get their
 * preflight() now, so a template error stops the run before any host is touched.
 */
export function preflightActions(
  planned: readonly PlannedPlay[],
  inventory: Inventory,
  extraVars: Vars,
  filter: TagFilter,
): void {
  for (const p of planned) {
    const candidates = [
      ...p.sections.flatMap((s) => [...walkTasks(s.nodes, s.scope)]),
      ...p.handlers.map((h) => ({ node: h.handler.task as Node<never>, scope: h.scope })),
    ];
    for (const host of p.hosts) {
      const entry = inventory.hosts.get(host)!;
      for (const { node, scope } of candidates) {
        if (node.kind !== 'task' || !selected(taskTags(node, scope), filter)) continue;
        let vars: Vars = { ...entry.vars, ...(p.play.vars ?? {}), ...extraVars };
        if (scope.role) {
          const r = scope.role.role.validate(roleInput(entry.vars, p.play, scope.role, {}, extraVars));
          if (!r.ok) continue; // reported by validateRoleVars
          vars = r.vars as Vars;
        }
        const view = preflightView(host, vars, inventory, p.hosts);
        for (const action of actionsFor(node.opts, view, scope)) action.preflight?.();
      }
    }
  }
}

function actionsFor(opts: Extract<Node<never>, { kind: 'task' }>['opts'], view: HostView<never>, scope: Scope): Action[] {
  try {
    if ([...scope.when, opts.when].some((w) => w && !w(view))) return [];
    const items = opts.loop === undefined ? [undefined] : typeof opts.loop === 'function' ? opts.loop(view) : opts.loop;
    return items.map((item) => (typeof opts.action === 'function' ? opts.action(view, item) : opts.action));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return []; // depends on facts or registered results, or on state only a run has: checked then
  }
}

export function knownTags(planned: readonly PlannedPlay[]): Set<string> {
  const tags = new Set<string>();
  for (const p of planned) for (const s of p.sections) for (const { node, scope } of walkTasks(s.nodes, s.scope)) taskTags(node, scope).forEach((t) => tags.add(t));
  return tags;
}

export function plan(pb: Playbook, inventory: Inventory, limit: string | undefined): PlannedPlay[] {
  if (limit) inventory.select(limit); // an unknown --limit name stops the run even if no play uses it
  return pb.plays.map((play) => planPlay(play, selectHosts(play, inventory, limit)));
}
