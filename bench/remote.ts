// Commands the benchmark itself runs on the lab hosts (resetting the workload's directory, checking
// whether the cluster is deployed), over the engine's own SSH transport, outside any timed run.
import { openConnection } from '../engine/connection/index';
import { loadInventory } from '../engine/inventory/load';
import { mapLimit } from '../engine/runner/pool';
import type { ExecResult } from '../engine/types';

/** Run one command on every host of an inventory file (25 at a time); results by host name. */
export async function onEveryHost(inventoryFile: string, command: string): Promise<Map<string, ExecResult>> {
  const inv = await loadInventory(inventoryFile);
  const entries = [...inv.hosts.values()];
  const results = await mapLimit(entries, 25, async (entry) => {
    const conn = openConnection(entry, {});
    try {
      return [entry.name as string, await conn.exec(command)] as const;
    } finally {
      await conn.close();
    }
  });
  return new Map(results);
}

/** Run a command everywhere and fail, naming the hosts, unless it exits 0 on all of them. */
export async function mustOnEveryHost(inventoryFile: string, command: string): Promise<void> {
  const bad = [...(await onEveryHost(inventoryFile, command))].filter(([, r]) => r.code !== 0);
  if (bad.length) throw new Error(`${command}: failed on ${bad.map(([h, r]) => `${h} (exit ${r.code}: ${r.stderr.trim().slice(-200)})`).join(', ')}`);
}
