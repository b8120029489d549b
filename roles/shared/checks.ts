// Checks every cluster role starts with: decided from variables alone, they stop the run before it starts.
import type { HostView, TaskNode } from '../../engine/dsl';
import { task } from '../../engine/dsl';
import { assertThat } from '../../modules/assert';
import { quoted } from '../../engine/validate';

/** preferred_node must name a host of this play (a typo would otherwise promote nothing, or the wrong node). */
export function preferredNodeCheck<V extends { preferred_node?: string }>(roleName: string): TaskNode<V> {
  return task<V>({
    name: 'preferred_node names a host of this play',
    action: (h: HostView<V>) =>
      assertThat({
        that: h.vars.preferred_node === undefined || h.playHosts.includes(h.vars.preferred_node as never),
        msg: `role ${roleName}: preferred_node ${quoted(h.vars.preferred_node)} is not a host of this play (hosts: ${h.playHosts.join(', ')})`,
      }),
  });
}

/** DRBD and corosync know nodes by `uname -n`: the inventory name must agree, or the configs name the wrong host. */
export function unameMatchesInventory<V>(roleName: string): TaskNode<V> {
  return task<V>({
    name: 'inventory name matches uname -n',
    action: (h: HostView<V>) =>
      assertThat({
        that: h.facts.hostname === h.name,
        msg: `role ${roleName}: host ${h.name} calls itself '${h.facts.hostname}' (uname -n); rename the inventory host or the machine so they agree`,
      }),
  });
}
