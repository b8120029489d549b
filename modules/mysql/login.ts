// How the mysql tools log in: as root over the unix socket (the default, no secret at all), or with a
// user and password written to a 0600 [client] defaults-extra-file that is removed right after use.
import { randomBytes } from 'node:crypto';
import type { ModuleContext } from '../../engine/types';
import { ConfigError } from '../../engine/errors';
import { sh } from '../../engine/shell';

export interface MysqlLogin {
  /** Omitted: the client's defaults (root over the unix socket when the module runs as root). */
  readonly user?: string;
  readonly password?: string;
  /** TCP host; omitted: the local unix socket. */
  readonly host?: string;
  readonly port?: number;
  readonly socket?: string;
  /** An existing option file on the host (e.g. /root/.my.cnf), read before the generated one. */
  readonly defaultsFile?: string;
}

/** A value in an option file: double-quoted, with the escapes the option-file reader understands. */
export function optionValue(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

export function clientOptionFile(login: MysqlLogin): string {
  const lines = ['[client]'];
  if (login.user !== undefined) lines.push(`user=${optionValue(login.user)}`);
  if (login.password !== undefined) lines.push(`password=${optionValue(login.password)}`);
  return lines.join('\n') + '\n';
}

export function checkLogin(login: MysqlLogin | undefined, module: string): void {
  if (!login) return;
  if (login.password !== undefined && login.user === undefined) throw new ConfigError(`${module}: login.password given without login.user`);
  if (login.port !== undefined && (!Number.isInteger(login.port) || login.port < 1 || login.port > 65535)) {
    throw new ConfigError(`${module}: login.port must be 1-65535`);
  }
}

/**
 * Run `use(options)` with the option words for a mysql tool (the defaults file first, as mysql requires);
 * a generated credentials file exists only for that time.
 */
export async function withLogin<T>(ctx: ModuleContext, login: MysqlLogin | undefined, use: (options: string) => Promise<T>): Promise<T> {
  const l = login ?? {};
  if (l.password !== undefined) ctx.secret(l.password);
  const conn: string[] = [];
  if (l.socket !== undefined) conn.push(sh`--socket=${l.socket}`);
  if (l.host !== undefined) conn.push(sh`--host=${l.host}`);
  if (l.port !== undefined) conn.push(sh`--port=${l.port}`);
  const connWords = conn.length ? ' ' + conn.join(' ') : '';
  if (l.user === undefined && l.password === undefined) {
    const defaults = l.defaultsFile !== undefined ? sh`--defaults-extra-file=${l.defaultsFile}` + ' ' : '';
    return use((defaults + connWords.trim()).trim());
  }
  if (l.defaultsFile !== undefined) throw new ConfigError('mysql login: give either defaultsFile or user/password, not both');
  const file = `/tmp/.mysql-client-${randomBytes(8).toString('hex')}.cnf`;
  await ctx.conn.put(file, clientOptionFile(l), { mode: 0o600, become: ctx.become });
  try {
    return await use((sh`--defaults-extra-file=${file}` + connWords).trim());
  } finally {
    await ctx.conn.exec(sh`rm -f ${file}`, { become: ctx.become });
  }
}
