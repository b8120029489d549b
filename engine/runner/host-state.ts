// Everything the run knows about one host: connection, facts, registered results, set facts, notifications.
import { isDeepStrictEqual } from 'node:util';
import type { Connection, Facts, HostName, ModuleResult } from '../types';
import type { HostEntry } from '../inventory/types';
import type { Vars } from '../dsl';
import { gatherFacts } from '../facts';
import { emptyStats, type HostStats } from './events';
import type { SetFactsState } from './role-vars';

export class HostState {
  readonly registered = new Map<string, ModuleResult>();
  /** setFact values (their precedence: engine/runner/vars.ts) and how many setFacts changed them. */
  private setFactsSoFar: SetFactsState = { values: {}, version: 0 };
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

  /** Facts read in the same command as other state (a probe round): kept unless gathered already. */
  adoptFacts(f: Facts): void {
    this.factsValue ??= f;
  }

  /** Facts if gathered already (for hostvars of other hosts). */
  get gatheredFacts(): Facts | undefined {
    return this.factsValue;
  }

  get setFacts(): SetFactsState {
    return this.setFactsSoFar;
  }

  /** Record a setFact's values; a new version only when one of them differs from what the host had. */
  setFact(values: Vars): void {
    const cur = this.setFactsSoFar.values;
    if (Object.entries(values).every(([k, v]) => Object.hasOwn(cur, k) && isDeepStrictEqual(cur[k], v))) return;
    this.setFactsSoFar = { values: { ...cur, ...values }, version: this.setFactsSoFar.version + 1 };
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}
