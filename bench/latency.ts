// One command round trip's cost on the engine's transport: sequential `true` commands over an open
// SshConnection (through its command shell), per host. Prints one JSON object: { "msPerExec": { host: ms } }.
//   npx ts-node bench/latency.ts INVENTORY
import { openConnection } from '../engine/connection/index';
import { loadInventory } from '../engine/inventory/load';

const EXECS = 20;

async function measure(inventoryFile: string): Promise<Record<string, number>> {
  const inv = await loadInventory(inventoryFile);
  const out: Record<string, number> = {};
  for (const entry of inv.hosts.values()) {
    const conn = openConnection(entry, {});
    try {
      await conn.exec('true'); // handshake, not counted
      const t0 = performance.now();
      for (let i = 0; i < EXECS; i++) await conn.exec('true');
      out[entry.name] = (performance.now() - t0) / EXECS;
    } finally {
      await conn.close();
    }
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
    (msPerExec) => {
      process.stdout.write(JSON.stringify({ msPerExec }) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`latency: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
