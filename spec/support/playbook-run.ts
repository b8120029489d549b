// A playbook run in-process through the CLI (main) on the lab, with the lab's vault, as --json events: for
// integration specs that look at every task's status and message.
import { main, type CliIO } from '../../engine/cli';
import type { Playbook } from '../../engine/dsl';
import type { HostStats, RunEvent } from '../../engine/runner/events';
import { LAB_VAULT_PASSWORD_FILE } from '../../lab/secrets';

export interface PlaybookRun {
  readonly code: number;
  readonly events: readonly RunEvent[];
  readonly errors: readonly string[];
}

type Result = Extract<RunEvent, { type: 'result' }>;

export async function runPlaybook(pb: Playbook, inventoryDir: string, ...args: string[]): Promise<PlaybookRun> {
  const out: string[] = [];
  const errors: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => errors.push(l), env: process.env, isTTY: false };
  const code = await main(pb, ['-i', inventoryDir, '--vault-password-file', LAB_VAULT_PASSWORD_FILE, '--json', ...args], io);
  return { code, events: out.map((l) => JSON.parse(l) as RunEvent), errors };
}

export const results = (r: PlaybookRun): Result[] => r.events.filter((e): e is Result => e.type === 'result');

/** Results with this status, as "host task: msg" lines (for assertion messages). */
export const withStatus = (r: PlaybookRun, status: Result['status']): string[] =>
  results(r)
    .filter((e) => e.status === status)
    .map((e) => `${e.host} ${e.task.name}: ${e.msg ?? ''}`);

/** The message each host got from the task named `name` (the first such task). */
export function messageOf(r: PlaybookRun, name: string, host: string): string | undefined {
  return results(r).find((e) => e.task.name === name && e.host === host)?.msg;
}

export function statusOf(r: PlaybookRun, name: string, host: string): Result['status'] | undefined {
  return results(r).find((e) => e.task.name === name && e.host === host)?.status;
}

export function recapStats(r: PlaybookRun): Readonly<Record<string, HostStats>> {
  const recap = r.events.find((e): e is Extract<RunEvent, { type: 'recap' }> => e.type === 'recap');
  if (!recap) throw new Error(`no recap (exit ${r.code}): ${r.errors.join('\n')}`);
  return recap.stats;
}

/** The results that changed something (a rerun on a converged cluster has none). */
export function changedNothing(r: PlaybookRun): string[] {
  return withStatus(r, 'changed');
}

/** The `n` slowest task results as "Ns host task" lines (where a long run spends its time, for the log). */
export function slowest(r: PlaybookRun, n: number): string[] {
  return [...results(r)]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, n)
    .map((e) => `${(e.durationMs / 1000).toFixed(1)} s ${e.host} ${e.task.role ? `${e.task.role} : ` : ''}${e.task.name}`);
}
