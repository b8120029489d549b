// main() on fake hosts for the flag specs: what a user sees, every command each host got, what connection
// options (-u, -k, -K, --private-key, --become-user) each host was opened with, and the prompts asked.
import { main, type CliIO } from '../../engine/cli';
import { FakeConnection } from './fake-connection';
import type { ConnectionOptions } from '../../engine/connection/ssh-settings';
import type { Playbook } from '../../engine/dsl';
import type { HostEntry } from '../../engine/inventory/types';
import type { HostName } from '../../engine/types';
import { defineModule } from '../../modules/lib/define';

export interface FlagRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly hosts: Map<string, FakeConnection>;
  readonly opened: Map<string, { readonly entry: HostEntry; readonly options: ConnectionOptions }>;
  readonly asked: string[];
}

/** Runs `pb`; a password prompt answers 'ssh-pw' for SSH and nothing for the rest. */
export async function runFlags(pb: Playbook, argv: readonly string[], extra: Partial<CliIO> = {}): Promise<FlagRun> {
  const out: string[] = [];
  const err: string[] = [];
  const hosts = new Map<string, FakeConnection>();
  const opened = new Map<string, { entry: HostEntry; options: ConnectionOptions }>();
  const asked: string[] = [];
  const io: CliIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: {},
    isTTY: false,
    prompt: async (q) => (asked.push(q), q.startsWith('SSH') ? 'ssh-pw' : ''),
    connect: (entry, options) => {
      opened.set(entry.name, { entry, options });
      const c = new FakeConnection(entry.name as HostName).on(/^: /, {});
      hosts.set(entry.name, c);
      return c;
    },
    ...extra,
  };
  return { code: await main(pb, argv, io), out, err, hosts, opened, asked };
}

/** A task that records on its host whether it ran with become and what it was given: `: ID become=B seen=JSON`. */
export const probe = defineModule<{ readonly id: string; readonly seen?: unknown }, { readonly changed: boolean }>({
  name: 'probe',
  checkMode: true,
  describe: (p) => p.id,
  async run(p, ctx) {
    await ctx.conn.exec(`: ${p.id} become=${String(ctx.become)} seen=${JSON.stringify(p.seen ?? null)}`, { become: ctx.become });
    return { changed: false };
  },
});

/** What `probe` recorded as seen=, per command of a host. */
export const probed = (run: FlagRun, host: string): unknown[] =>
  (run.hosts.get(host)?.commands ?? []).map((c) => JSON.parse(c.slice(c.indexOf(' seen=') + 6)) as unknown);
