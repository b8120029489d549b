// Running commands from modules: checked exits with the stderr tail, and quiet probes.
import type { ExecOptions, ExecResult, ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';

const tail = (s: string, n = 600): string => (s.length > n ? '…' + s.slice(-n) : s).trim();

/** Run and require exit 0; otherwise fail with the command's exit code and stderr tail. */
export async function must(ctx: ModuleContext, cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
  // -v logs every command with its output (engine/runner/verbose-connection.ts).
  const r = await ctx.conn.exec(cmd, { become: ctx.become, timeoutMs: ctx.timeoutMs, ...opts });
  if (r.code !== 0) {
    const why = tail(r.stderr) || tail(r.stdout) || 'no output';
    // detail uses ModuleError's names (rc, not ExecResult's code): the runner spreads it into the result.
    throw new ModuleError(`\`${firstWords(cmd)}\` exited ${r.code}: ${why}`, { rc: r.code, stdout: r.stdout, stderr: r.stderr });
  }
  return r;
}

/** Run a read-only probe; any exit code is an answer. */
export async function probe(ctx: ModuleContext, cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.exec(cmd, { become: ctx.become, timeoutMs: ctx.timeoutMs, ...opts });
}

function firstWords(cmd: string): string {
  const line = cmd.split('\n')[0] ?? '';
  return line.length > 80 ? line.slice(0, 77) + '...' : line;
}
