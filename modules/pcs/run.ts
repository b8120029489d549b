// Building and running pcs command lines, live or against a CIB file (`pcs -f FILE`).
import type { ModuleContext, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { must } from '../lib/exec';
import { isScratchCib, type CibTarget } from './cib';

/** `pcs [-f FILE] ARGS...`, every argument quoted. */
export function pcsCommand(target: CibTarget, args: readonly string[]): string {
  return target.cibFile ? sh`pcs -f ${target.cibFile} ${args}` : sh`pcs ${args}`;
}

/** name=value words, in the order given. */
export function nvWords(pairs: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(pairs).map(([k, v]) => `${k}=${v}`);
}

export interface PcsResult extends ModuleResult {
  /** The pcs commands run (or, under --check, that would run), in order. */
  readonly commands: readonly string[];
}

/**
 * Run the planned commands in order, or under --check only report them, except on a scratch CIB file (made by
 * pcs_cib_file), which is built in under --check too: it is no cluster state. `summary` says what the plan does
 * ("create resource X"); an empty plan is ok/unchanged with `okMsg`.
 */
export async function applyPlan(
  ctx: ModuleContext,
  plan: readonly string[],
  summary: string,
  okMsg: string,
  target: CibTarget = {},
): Promise<PcsResult> {
  if (!plan.length) return { changed: false, msg: okMsg, commands: [] };
  if (ctx.check && !isScratchCib(ctx, target)) return { changed: true, msg: `would ${summary}`, commands: plan };
  for (const cmd of plan) await must(ctx, cmd);
  return { changed: true, msg: ctx.check ? `would ${summary}` : summary, commands: plan };
}
