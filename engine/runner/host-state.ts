// Everything the run knows about one host: connection, facts, registered results, set facts, notifications.
import type { Connection, Facts, HostName, ModuleResult } from '../types';
import type { HostEntry } from '../inventory/types';
import type { Vars } from '../dsl';
import { gatherFacts } from '../facts';
import { emptyStats, type HostStats } from './events';

export class HostState {
  readonly registered = new Map<string, ModuleResult>();
  /** setFact values: above inventory and play vars, below extra vars. */
  readonly setFacts: Record<string, unknown> = {};
  readonly notified = new Set<string>();
  readonly hostCache = new Map<string, unknown>();
  readonly stats: HostStats = emptyStats();
  /** Out of the run: failed (and not rescued) or unreachable. */
  failed = false;
  unreachable = false;
  private factsValue: Facts | undefined;
  private factsPending: Promise<Facts> | undefined;
  private conn: Connection | undefined;

  constructor(
    readonly entry: HostEntry,
    private readonly open: (entry: HostEntry) => Connection,
  ) {}

  get name(): HostName {
    return this.entry.name;
  }

  get active(): boolean {
    return !this.failed && !this.unreachable;
  }

  connection(): Connection {
    this.conn ??= this.open(this.entry);
    return this.conn;
  }

  /** Gathered once per run, on first need; concurrent callers share the round trip. */
  async facts(): Promise<Facts> {
    if (this.factsValue) return this.factsValue;
    this.factsPending ??= gatherFacts(this.connection()).then((f) => (this.factsValue = f));
    try {
      return await this.factsPending;
    } catch (e) {
      this.factsPending = undefined;
      throw e;
    }
  }

  /** Facts if gathered already (for hostvars of other hosts). */
  get gatheredFacts(): Facts | undefined {
    return this.factsValue;
  }

  /** All variables of the host as a play sees them. */
  playVars(playVars: Vars, extraVars: Vars): Vars {
    return { ...this.entry.vars, ...playVars, ...this.setFacts, ...extraVars };
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}
