// A role's variables as a host sees them: parsed with the role's schema once per host and role use (when the
// plan is made), and again only after a setFact changed the variables that role use sees on that host (a
// setFact of the value a variable already has, from the inventory, the play or an earlier setFact, parses
// nothing). spec/unit/engine/role-schema-parses.spec.ts counts the schema's parses.
import { isDeepStrictEqual } from 'node:util';
import type { HostName } from '../types';
import type { Inventory } from '../inventory/types';
import type { Play, RoleUse, Vars } from '../dsl';
import { ConfigError } from '../errors';
import { mergeVars, winningLayer, type VarLayers } from './vars';

/** A host's setFact values and how many setFacts changed them so far (0: none yet, as at plan time). */
export interface SetFactsState {
  readonly values: Vars;
  readonly version: number;
}

export const NO_SET_FACTS: SetFactsState = { values: {}, version: 0 };

interface Parsed {
  readonly version: number;
  /** The merged variables the schema was given. */
  readonly input: Vars;
  readonly vars: Vars;
}

export class RoleVars {
  /** play -> role use -> host: the last parse and the setFacts version it saw. */
  private readonly parsed = new Map<Play, Map<RoleUse, Map<HostName, Parsed>>>();

  constructor(
    private readonly inventory: Inventory,
    private readonly extraVars: Vars,
  ) {}

  /**
   * Plan time: every role use of every play for each of its hosts. Throws one ConfigError naming every
   * problem, each with the place its winning value was set.
   */
  checkAll(plays: readonly { readonly play: Play; readonly hosts: readonly HostName[] }[]): void {
    // One line per host and variable, naming every role that needs it (roles may share a variable).
    const problems = new Map<string, string[]>();
    for (const { play, hosts } of plays) {
      for (const use of play.roles) {
        for (const host of hosts) {
          if (this.parsed.get(play)?.get(use)?.has(host)) continue; // the same play or role use given twice
          const layers = this.layers(host, play, use, {});
          const input = mergeVars(layers);
          const r = use.role.validate(input);
          if (r.ok) {
            this.remember(play, use, host, { version: 0, input, vars: r.vars as Vars });
            continue;
          }
          for (const i of r.issues) {
            const origin = this.origin(host, play, i.variable.split('.')[0] ?? i.variable, layers);
            const where = origin ? ` (set at ${origin})` : ' (set it in group_vars/ or host_vars/ of the inventory, or with -e)';
            const line = `host ${host}: variable '${i.variable}': ${i.message}${where}`;
            const roles = problems.get(line) ?? [];
            if (!roles.includes(use.role.name)) problems.set(line, [...roles, use.role.name]);
          }
        }
      }
    }
    if (problems.size) {
      const shown = [...problems].map(([line, roles]) => `role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}, ${line}`);
      throw new ConfigError(`invalid role variables in ${this.inventory.source}:\n  ${shown.join('\n  ')}`);
    }
  }

  /**
   * The host's variables inside this role use; parsed again only when a setFact changed them since (a setFact
   * version alone is not enough: one may set a value the inventory or the play already gives).
   */
  of(host: HostName, play: Play, use: RoleUse, setFacts: SetFactsState): Vars {
    const last = this.parsed.get(play)?.get(use)?.get(host);
    if (last && last.version === setFacts.version) return last.vars;
    const input = mergeVars(this.layers(host, play, use, setFacts.values));
    if (last && isDeepStrictEqual(input, last.input)) {
      this.remember(play, use, host, { ...last, version: setFacts.version });
      return last.vars;
    }
    const r = use.role.validate(input);
    if (!r.ok) throw new ConfigError(`role ${use.role.name}: ${r.issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.remember(play, use, host, { version: setFacts.version, input, vars: r.vars as Vars });
    return r.vars as Vars;
  }

  private layers(host: HostName, play: Play, use: RoleUse, setFacts: Vars): VarLayers {
    return { inventory: this.inventory.hosts.get(host)!.vars, play: play.vars, roleUse: use.vars, setFacts, extra: this.extraVars };
  }

  /** Where the value that won was set: -e, the play, the role's use, or an inventory file:line. */
  private origin(host: HostName, play: Play, variable: string, layers: VarLayers): string | undefined {
    switch (winningLayer(variable, layers)) {
      case 'extra':
        return '-e';
      case 'roleUse':
        return `the role's use in play '${play.name}'`;
      case 'play':
        return `play '${play.name}' vars`;
      default:
        return this.inventory.origin(host, variable);
    }
  }

  private remember(play: Play, use: RoleUse, host: HostName, p: Parsed): void {
    let uses = this.parsed.get(play);
    if (!uses) this.parsed.set(play, (uses = new Map()));
    let hosts = uses.get(use);
    if (!hosts) uses.set(use, (hosts = new Map()));
    hosts.set(host, p);
  }
}
