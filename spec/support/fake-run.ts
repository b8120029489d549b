// Run playbooks against scripted fake hosts and collect every event, for runner specs.
import type { HostName, ModuleResult } from '../../engine/types';
import type { Inventory } from '../../engine/inventory/types';
import type { Playbook, Vars } from '../../engine/dsl';
import type { RunEvent } from '../../engine/runner/events';
import { FakeConnection } from './fake-connection';
import { InventoryDraft, type VarLayer } from '../../engine/inventory/draft';
import { inventoryFromDraft } from '../../engine/inventory/inventory';
import { runPlaybook, type RunOptions, type RunSummary } from '../../engine/runner';
import { defineModule } from '../../modules/lib/define';
import { sh } from '../../engine/shell';
import { ModuleError } from '../../engine/errors';

export interface FakeCluster {
  readonly inventory: Inventory;
  readonly hosts: ReadonlyMap<string, FakeConnection>;
  /** Every exec across hosts in the order issued: "host: cmd". */
  readonly timeline: string[];
}

/** groups: group -> host names; vars: host or group name -> variables. */
export function fakeCluster(groups: Record<string, readonly string[]>, vars: Record<string, Vars> = {}): FakeCluster {
  const draft = new InventoryDraft('spec-inventory');
  const layer = (v: Vars | undefined, origin: string): VarLayer => new Map(Object.entries(v ?? {}).map(([k, value]) => [k, { value, origin }]));
  for (const [group, members] of Object.entries(groups)) {
    for (const h of members) draft.addHost(h, `spec-inventory:${group}`, layer(vars[h], `spec-inventory:${h}`), group);
    if (vars[group]) draft.addGroupVars(group, `spec-inventory:${group}`, layer(vars[group], `spec-inventory:${group}`));
  }
  const inventory = inventoryFromDraft(draft);
  const timeline: string[] = [];
  const hosts = new Map<string, FakeConnection>();
  for (const name of inventory.hosts.keys()) {
    const c = new FakeConnection(name as HostName).on(/^: /, {});
    const exec = c.exec.bind(c);
    c.exec = async (cmd, opts) => {
      timeline.push(`${name}: ${cmd.split('\n')[0]}`);
      return exec(cmd, opts);
    };
    hosts.set(name, c);
  }
  return { inventory, hosts, timeline };
}

export interface FakeRun extends RunSummary {
  readonly events: RunEvent[];
  /** Results as "status host task" strings, in emission order. */
  readonly results: string[];
}

export async function runFake(pb: Playbook, cluster: FakeCluster, opts: Partial<RunOptions> = {}): Promise<FakeRun> {
  const events: RunEvent[] = [];
  const summary = await runPlaybook(pb, {
    inventory: cluster.inventory,
    connect: (entry) => cluster.hosts.get(entry.name)!,
    reporter: { emit: (e) => void events.push(e) },
    ...opts,
  });
  const results = events.flatMap((e) => (e.type === 'result' ? [`${e.status} ${e.host} ${e.task.name}`] : []));
  return { ...summary, events, results };
}

export interface MarkParams {
  /** The marker command to run: recorded by the fake host. */
  readonly id: string;
  /** Report changed (and, in check mode, "would change"). */
  readonly changes?: boolean;
  readonly fail?: boolean;
  /** Milliseconds to wait before answering (for lockstep ordering specs). */
  readonly delayMs?: number;
}

/** A spec-only module: runs `: ID` on the host unless in check mode; changes or fails as scripted. */
export const mark = defineModule<MarkParams, ModuleResult & { readonly id: string }>({
  name: 'mark',
  checkMode: true,
  describe: (p) => p.id,
  async run(p, ctx) {
    if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
    if (!ctx.check) {
      const r = await ctx.conn.exec(sh`: ${p.id}`);
      if (r.code !== 0) throw new ModuleError(`exit ${r.code}: ${r.stderr}`);
    }
    if (p.fail) {
      throw new ModuleError(`${p.id} failed as scripted`, { rc: 3, stdout: 'out', stderr: 'err' });
    }
    return { changed: !!p.changes, id: p.id, msg: p.changes ? `${p.id} changed` : undefined };
  },
});

/** The same marker without check-mode support. */
export const rawMark = defineModule<MarkParams, ModuleResult>({
  name: 'raw_mark',
  checkMode: false,
  async run(p, ctx) {
    await ctx.conn.exec(sh`: ${p.id}`);
    return { changed: !!p.changes };
  },
});
