// The SSH floors of a run on the engine's transport, per host: one fresh connection (TCP, key exchange,
// authentication, the command shell and a first `true`) and one command round trip on an open connection
// (sequential `true` commands through its command shell). Prints one JSON object:
// { "connectMs": { host: ms }, "msPerExec": { host: ms } }.
//   npx ts-node bench/latency.ts INVENTORY
import { openConnection } from '../engine/connection/index';
import type { HostEntry } from '../engine/inventory/types';
import { loadInventory } from '../engine/inventory/load';

const EXECS = 20;

export interface Latency {
  readonly connectMs: Record<string, number>;
  readonly msPerExec: Record<string, number>;
}

async function probeHost(entry: HostEntry): Promise<{ connectMs: number; msPerExec: number }> {
  const conn = openConnection(entry, {});
  try {
    const t0 = performance.now();
    await conn.exec('true'); // the connection is opened by its first command
    const connectMs = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < EXECS; i++) await conn.exec('true');
    return { connectMs, msPerExec: (performance.now() - t1) / EXECS };
  } finally {
    await conn.close();
  }
}

async function measure(inventoryFile: string): Promise<Latency> {
  const inv = await loadInventory(inventoryFile);
  const entries = [...inv.hosts.values()];
  // Loading the SSH library and its crypto is start-up, not connection: done once before timing.
  if (entries[0]) await probeHost(entries[0]);
  const out: Latency = { connectMs: {}, msPerExec: {} };
  for (const entry of entries) {
    const p = await probeHost(entry);
    out.connectMs[entry.name] = p.connectMs;
    out.msPerExec[entry.name] = p.msPerExec;
  }
  return out;
}

if (require.main === module) {
  const [file] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: ts-node bench/latency.ts INVENTORY\n');
    process.exit(1);
  }
  measure(file).then(
    (latency) => {
      process.stdout.write(JSON.stringify(latency) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`latency: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
