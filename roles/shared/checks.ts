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

/**
 * DRBD and corosync know nodes by `uname -n`: every inventory name of the play must agree, or the configs name
 * the wrong host. Each host checks the whole play (facts are gathered by now: an earlier task ran on all), so
 * one misnamed node stops its peers too, before either writes a configuration naming it.
 */
export function unameMatchesInventory<V>(roleName: string): TaskNode<V> {
  return task<V>({
    name: 'inventory name matches uname -n',
    action: (h: HostView<V>) => {
      const wrong = h.playHosts.map((n) => ({ n, uname: h.hostvars(n).facts.hostname })).filter((x) => x.uname !== x.n);
      return assertThat({
        that: wrong.length === 0,
        msg: wrong
          .map((x) => `role ${roleName}: host ${x.n} calls itself ${quoted(x.uname)} (uname -n); rename the inventory host or the machine so they agree`)
          .join('; '),
      });
    },
  });
}
