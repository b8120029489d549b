// Commands on other cluster nodes (through ctx.connectionTo), with must/probe's semantics.
import type { Connection, ExecResult, ModuleContext } from '../../engine/types';
import { ModuleError } from '../../engine/errors';

export async function probeOn(ctx: ModuleContext, conn: Connection, cmd: string): Promise<ExecResult> {
  const r = await conn.exec(cmd, { become: ctx.become });
  ctx.log(`[${conn.host}] $ ${cmd} (exit ${r.code})`);
  return r;
}

export async function mustOn(ctx: ModuleContext, conn: Connection, cmd: string): Promise<ExecResult> {
  const r = await probeOn(ctx, conn, cmd);
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim() || 'no output').slice(-600);
    throw new ModuleError(`on ${conn.host}: \`${cmd}\` exited ${r.code}: ${why}`, r);
  }
  return r;
}
