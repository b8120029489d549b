// pcs_auth: authenticate this host's pcs against pcsd on the cluster nodes as hacluster
// (`pcs host auth NODE addr=IP` on 0.10+, `pcs cluster auth NODE` on 0.9). The password goes on stdin.
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must } from '../lib/exec';
import { pcsDialect } from './dialect';
import { pcsdStatus, type PcsdReach } from './pcsd-status';
import type { PcsResult } from './run';

export const KNOWN_HOSTS = '/var/lib/pcsd/known-hosts';

export interface PcsAuthNode {
  /** The node's name in the cluster (its `uname -n`). */
  readonly name: string;
  /** Address pcs uses to reach pcsd on it (0.10+; 0.9 resolves the name). */
  readonly addr?: string;
}

export interface PcsAuthParams {
  readonly nodes: readonly PcsAuthNode[];
  /** Default hacluster. */
  readonly user?: string;
  readonly password: string;
}

export interface PcsAuthResult extends PcsResult {
  /** pcsd reachability per node before any change. */
  readonly before: Readonly<Record<string, PcsdReach>>;
}

/** Addresses recorded in pcs 0.10+'s known-hosts file, by node name. */
export function knownHostAddrs(json: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return out;
  }
  const hosts = (data as { known_hosts?: Record<string, { dest_list?: { addr?: string }[] }> }).known_hosts ?? {};
  for (const [name, h] of Object.entries(hosts)) out.set(name, (h.dest_list ?? []).flatMap((d) => (d.addr ? [d.addr] : [])));
  return out;
}

export const pcsAuth = defineModule<PcsAuthParams, PcsAuthResult>({
  name: 'pcs_auth',
  checkMode: true,
  describe: (p) => `pcs auth ${p.nodes.map((n) => n.name).join(' ')}`,
  preflight: (p) => {
    if (!p.nodes.length) throw new ConfigError('pcs_auth: no nodes given');
    if (!p.password) throw new ConfigError('pcs_auth: empty password for the hacluster user');
  },
  async run(p, ctx) {
    ctx.secret(p.password);
    const d = await pcsDialect(ctx);
    const names = p.nodes.map((n) => n.name);
    const reach = await pcsdStatus(ctx, names);
    const known = d.generation === '0.9' ? new Map<string, string[]>() : knownHostAddrs((await ctx.conn.get(KNOWN_HOSTS, { become: ctx.become }))?.toString('utf8') ?? '');
    const need = p.nodes.filter(
      (n) => reach.get(n.name) !== 'Online' || (d.generation !== '0.9' && n.addr !== undefined && !(known.get(n.name) ?? []).includes(n.addr)),
    );
    const before = Object.fromEntries(reach);
    if (!need.length) return { changed: false, msg: `authenticated to ${names.join(', ')}`, commands: [], before };
    const user = p.user ?? 'hacluster';
    const cmd =
      d.generation === '0.9'
        ? sh`pcs cluster auth ${need.map((n) => n.name)} -u ${user}`
        : sh`pcs host auth ${need.flatMap((n) => (n.addr ? [n.name, `addr=${n.addr}`] : [n.name]))} -u ${user}`;
    const summary = `authenticate to ${need.map((n) => n.name).join(', ')}`;
    if (ctx.check) return { changed: true, msg: `would ${summary}`, commands: [cmd], before };
    // Without -p, pcs reads the password from stdin when it is not a terminal.
    await must(ctx, cmd, { stdin: `${p.password}\n` });
    const after = await pcsdStatus(ctx, need.map((n) => n.name));
    const still = [...after].filter(([, s]) => s !== 'Online');
    if (still.length) {
      throw new ModuleError(
        `pcs auth reported success but ${still.map(([n, s]) => `${n} is "${s}"`).join(', ')} afterwards; ` +
          'a leftover corosync.conf (such as Debian\'s default cluster "debian") makes pcs drop the tokens: ' +
          'remove it first (pcs_foreign_cluster with destroyForeign: true), and check pcsd runs on every node',
      );
    }
    return { changed: true, msg: summary, commands: [cmd], before };
  },
});
