// -v: every command a module runs, with its exit code and output, whatever module issued it.
import type { Connection, ExecOptions, ExecResult, PutOptions } from '../types';

const MAX = 2000;
const clip = (s: string): string => (s.length > MAX ? `${s.slice(0, MAX)}… (${s.length - MAX} more bytes)` : s).trimEnd();

export function verboseConnection(conn: Connection, log: (line: string) => void): Connection {
  return {
    host: conn.host,
    loginIsBecomeUser: conn.loginIsBecomeUser,
    async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
      const r = await conn.exec(command, opts);
      const out = [r.stdout && clip(r.stdout), r.stderr && `stderr: ${clip(r.stderr)}`].filter(Boolean).join('\n');
      log(`$ ${command}${opts?.stdin !== undefined ? ' (stdin given)' : ''} => exit ${r.code}${out ? `\n${out}` : ''}`);
      return r;
    },
    async put(path: string, content: string | Buffer, opts?: PutOptions): Promise<void> {
      await conn.put(path, content, opts);
      log(`put ${path} (${Buffer.byteLength(content)} bytes${opts?.mode !== undefined ? `, mode ${opts.mode.toString(8)}` : ''})`);
    },
    async get(path: string, opts?: { readonly become?: boolean }): Promise<Buffer | undefined> {
      const b = await conn.get(path, opts);
      log(`get ${path}${b ? ` (${b.length} bytes)` : ' (absent)'}`);
      return b;
    },
    close: () => conn.close(),
  };
}
