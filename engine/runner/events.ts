// The event stream every output (listr2 tree, plain lines, JSON) is rendered from.
import type { FileDiff, HostStatus } from '../types';

export interface TaskRef {
  readonly play: string;
  readonly role?: string;
  readonly name: string;
  readonly kind: 'task' | 'handler' | 'setFact' | 'facts';
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export const emptyStats = (): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 });

export type RunEvent =
  | { readonly type: 'playbook'; readonly name: string; readonly check: boolean }
  | { readonly type: 'play'; readonly name: string; readonly hosts: readonly string[]; readonly batch?: { readonly index: number; readonly count: number } }
  | { readonly type: 'task'; readonly task: TaskRef; readonly hosts: readonly string[] }
  | {
      readonly type: 'result';
      readonly task: TaskRef;
      readonly host: string;
      readonly status: HostStatus;
      readonly msg?: string;
      readonly diffs?: readonly FileDiff[];
      readonly delegatedTo?: string;
      /** The error was ignored (ignoreErrors): the host goes on. */
      readonly ignored?: boolean;
      readonly durationMs: number;
    }
  | { readonly type: 'taskDone'; readonly task: TaskRef }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'log'; readonly host: string; readonly line: string }
  | { readonly type: 'recap'; readonly stats: Readonly<Record<string, HostStats>>; readonly exitCode: number };

export interface Reporter {
  /** Awaited: a renderer may hold the runner until a task's output is drawn. */
  emit(e: RunEvent): void | Promise<void>;
  close?(): void | Promise<void>;
}
