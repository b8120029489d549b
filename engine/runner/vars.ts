// Variable precedence: the one place that decides which value of a variable a host sees, as Ansible's
// vars/manager.py does. Lowest first: the inventory (group_vars < host_vars < the host's line, merged by
// engine/inventory) < play vars < the role's use (withVars) < setFact < extra vars (-e).
import type { Vars } from '../dsl';

export interface VarLayers {
  /** The host's inventory variables, already merged by the inventory. */
  readonly inventory: Vars;
  readonly play?: Vars;
  /** Overrides given with the role's use in the play (withVars). */
  readonly roleUse?: Vars;
  readonly setFacts?: Vars;
  /** -e: highest. */
  readonly extra?: Vars;
}

export type VarLayer = keyof VarLayers;

/** Lowest precedence first. */
const PRECEDENCE: readonly VarLayer[] = ['inventory', 'play', 'roleUse', 'setFacts', 'extra'];

/** Every variable with the value its highest layer gives it. */
export function mergeVars(layers: VarLayers): Vars {
  const out: Record<string, unknown> = {};
  for (const layer of PRECEDENCE) Object.assign(out, layers[layer]);
  return out;
}

/** The layer whose value of `name` wins, or undefined when no layer sets it. */
export function winningLayer(name: string, layers: VarLayers): VarLayer | undefined {
  for (let i = PRECEDENCE.length - 1; i >= 0; i--) {
    const layer = PRECEDENCE[i]!;
    const values = layers[layer];
    if (values && Object.hasOwn(values, name)) return layer;
  }
  return undefined;
}
