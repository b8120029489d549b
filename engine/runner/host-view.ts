// The one HostView factory: what a task's callbacks see of a host, when the plan is checked (before any host
// is touched: no facts, no registered results yet) and while the play runs.
import type { Facts, HostName, ModuleResult } from '../types';
import type { Inventory } from '../inventory/types';
import type { HostInfo, HostView, Play, Vars } from '../dsl';
import { ModuleError } from '../errors';
import { mergeVars } from './vars';
import { NO_SET_FACTS, type RoleVars, type SetFactsState } from './role-vars';
import type { Scope } from './plan';

/** What views read of the run so far. */
export interface RunSoFar {
  /** The host's facts; undefined until gathered. */
  facts(host: HostName): Facts | undefined;
  registered(host: HostName, name: string): ModuleResult | undefined;
  setFacts(host: HostName): SetFactsState;
}

/** Thrown by a plan-time view when a callback needs what only the run has; that task is checked at run time. */
class NeedsRunTime extends Error {}

const needsRunTime = (): never => {
  throw new NeedsRunTime();
};

/** Before the run: facts and registered results do not exist yet, no setFact has run. */
export const BEFORE_RUN: RunSoFar = { facts: needsRunTime, registered: needsRunTime, setFacts: () => NO_SET_FACTS };

export interface HostViewsOptions {
  readonly inventory: Inventory;
  readonly extraVars: Vars;
  readonly roleVars: RoleVars;
  readonly state: RunSoFar;
  readonly checkMode: boolean;
}

export class HostViews {
  constructor(private readonly o: HostViewsOptions) {}

  /**
   * `host` as a task in `scope` sees it: inside a role its vars are the role's validated ones. `state` reads the
   * run so far another way (a probe round reads ahead through one that stops at what may still change).
   */
  of(host: HostName, scope: Scope, playHosts: readonly HostName[], state: RunSoFar = this.o.state): HostView<never> {
    const { inventory } = this.o;
    const play = scope.play;
    const vars = scope.role ? this.o.roleVars.of(host, play, scope.role, state.setFacts(host)) : this.playVars(host, play);
    const view: HostView<Vars> = {
      name: host,
      vars,
      get facts(): Facts {
        return state.facts(host)!;
      },
      registered: <R extends ModuleResult>(k: string) => state.registered(host, k) as R | undefined,
      hostvars: (name) => this.info(inventory.host(name), play, state),
      groups: Object.fromEntries(inventory.groups),
      playHosts,
      checkMode: this.o.checkMode,
    };
    return view as unknown as HostView<never>;
  }

  /** A host's variables as a play sees them (outside roles, and as hostvars). */
  playVars(host: HostName, play: Play): Vars {
    return mergeVars({
      inventory: this.o.inventory.hosts.get(host)!.vars,
      play: play.vars,
      setFacts: this.o.state.setFacts(host).values,
      extra: this.o.extraVars,
    });
  }

  private info(host: HostName, play: Play, state: RunSoFar): HostInfo {
    return {
      name: host,
      vars: this.playVars(host, play),
      get facts(): Facts {
        const f = state.facts(host);
        if (!f) throw new ModuleError(`facts of ${host} are not gathered: it has run no task yet in this run`);
        return f;
      },
      registered: <R extends ModuleResult>(k: string) => state.registered(host, k) as R | undefined,
    };
  }
}
