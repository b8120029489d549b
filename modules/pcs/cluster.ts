// pcs_cluster: the cluster exists on every node (`pcs cluster setup`), runs (`start`) and starts at boot
// (`enable`). Run it once (runOnce) on one node: it reads every node's corosync.conf and service state
// through that node's connection. A cluster with the wanted name and nodes is left alone; any other
// cluster found on a node is destroyed only with destroyForeign: true.
import type { Connection, HostName } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { describeConf, membership, readCorosyncConf, type ClusterMembership } from './corosync-conf';
import { pcsDialect, type PcsDialect } from './dialect';
import { clearForeign } from './foreign-cluster';
import { mustOn, probeOn } from './on-node';
import { pcsCommand, type PcsResult } from './run';
import type { ForceVariable } from '../lib/force-hint';

export interface PcsClusterNode {
  /** The inventory host, used to read the node's state. */
  readonly host: HostName;
  /** The node's cluster name (`uname -n`); default: the inventory name. */
  readonly name?: string;
  /** Corosync address (0.10+ `addr=`); 0.9 resolves the node name instead. */
  readonly addr?: string;
}

export interface PcsClusterParams extends ForceVariable {
  readonly name: string;
  readonly nodes: readonly PcsClusterNode[];
  /** Destroy another cluster found on a node (e.g. Debian's default "debian"); default false: fail. */
  readonly destroyForeign?: boolean;
  /** Start the cluster where it is not running (default true). */
  readonly start?: boolean;
  /** Start the cluster at boot on every node (default true). */
  readonly enable?: boolean;
  /** `--wait=N` seconds for `pcs cluster start`. */
  readonly waitSeconds?: number;
}

export interface PcsClusterNodeState {
  readonly name: string;
  readonly membership: ClusterMembership['state'];
  readonly active: boolean;
  readonly enabled: boolean;
}

export interface PcsClusterResult extends PcsResult {
  readonly before: readonly PcsClusterNodeState[];
  /** quorum two_node: 1 in the (resulting) corosync.conf; pcs writes it for two-node clusters. */
  readonly twoNode: boolean;
}

const nodeName = (n: PcsClusterNode): string => n.name ?? n.host;

/** What `pcs cluster enable` does on a node: the cluster's services start at boot. */
const ENABLE = 'systemctl enable corosync pacemaker';

/** Both services report the wanted word, one per line, as `systemctl is-active|is-enabled a b` prints. */
function bothAre(stdout: string, word: string): boolean {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length === 2 && lines.every((l) => l === word);
}

export function setupCommand(d: PcsDialect, p: PcsClusterParams): string {
  if (d.generation === '0.9') return sh`pcs cluster setup --name ${p.name} ${p.nodes.map(nodeName)}`;
  const nodes = p.nodes.flatMap((n) => (n.addr ? [nodeName(n), `addr=${n.addr}`] : [nodeName(n)]));
  return sh`pcs cluster setup ${p.name} ${nodes}`;
}

function nodesWords(all: readonly string[], some: readonly string[]): string[] {
  return some.length === all.length ? ['--all'] : [...some];
}

export const pcsCluster = defineModule<PcsClusterParams, PcsClusterResult>({
  name: 'pcs_cluster',
  checkMode: true,
  describe: (p) => `pcs cluster ${p.name} (${p.nodes.map(nodeName).join(', ')})`,
  preflight: (p) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(p.name)) throw new ConfigError(`pcs_cluster: invalid cluster name ${JSON.stringify(p.name)}`);
    if (!p.nodes.length) throw new ConfigError('pcs_cluster: no nodes');
  },
  async run(p, ctx) {
    const d = await pcsDialect(ctx);
    const names = p.nodes.map(nodeName);
    const conns: Connection[] = p.nodes.map((n) => (n.host === ctx.host ? ctx.conn : ctx.connectionTo(n.host)));
    const read = async (): Promise<{ member: ClusterMembership[]; states: PcsClusterNodeState[] }> => {
      const member = await Promise.all(conns.map(async (c) => membership(await readCorosyncConf(c, ctx.become), p.name, names)));
      const states = await Promise.all(
        conns.map(async (c, i) => ({
          name: names[i]!,
          membership: member[i]!.state,
          active: bothAre((await probeOn(ctx, c, 'systemctl is-active corosync pacemaker')).stdout, 'active'),
          enabled: bothAre((await probeOn(ctx, c, 'systemctl is-enabled corosync pacemaker')).stdout, 'enabled'),
        })),
      );
      return { member, states };
    };
    const { member, states: before } = await read();
    const commands: string[] = [];
    const done: string[] = [];

    // 1. Foreign clusters go first (guarded), so setup finds clean nodes.
    for (const [i, m] of member.entries()) {
      if (m.state !== 'foreign') continue;
      commands.push(await clearForeign(ctx, conns[i]!, d, m.conf, { ...p, nodes: names }));
      done.push(`destroyed ${describeConf(m.conf)} on ${names[i]}`);
    }
    // 2. Setup when the cluster is missing everywhere; half-configured clusters need a person.
    const ours = member.filter((m) => m.state === 'ours').length;
    let setUp = false;
    if (ours > 0 && ours < member.length) {
      const missing = names.filter((_, i) => member[i]!.state !== 'ours');
      throw new ModuleError(
        `cluster ${p.name} is configured on ${names.filter((_, i) => member[i]!.state === 'ours').join(', ')} but not on ` +
          `${missing.join(', ')}; add them with \`pcs cluster node add\` (or destroy the cluster everywhere to set it up again)`,
      );
    }
    if (ours === 0) {
      const cmd = setupCommand(d, p);
      commands.push(cmd);
      if (!ctx.check) await mustOn(ctx, ctx.conn, cmd);
      done.push(`set up cluster ${p.name}`);
      setUp = true;
    }
    // 3. Start and enable where needed (after a setup nothing runs yet).
    const wait = p.waitSeconds !== undefined ? [`--wait=${p.waitSeconds}`] : [];
    const toStart = (p.start ?? true) ? names.filter((_, i) => setUp || !before[i]!.active) : [];
    if (toStart.length) {
      const cmd = pcsCommand({}, ['cluster', 'start', ...nodesWords(names, toStart), ...wait]);
      commands.push(cmd);
      if (!ctx.check) await mustOn(ctx, ctx.conn, cmd);
      done.push(`started on ${toStart.join(', ')}`);
    }
    // Enabled over each node's own connection: `pcs cluster enable` is this same systemctl call, relayed through
    // pcsd, whose 60 s request timeout a busy node missed on the lab (the cluster itself was up and fine).
    const toEnable = (p.enable ?? true) ? names.filter((_, i) => setUp || !before[i]!.enabled) : [];
    if (toEnable.length) {
      for (const [i, name] of names.entries()) {
        if (!toEnable.includes(name)) continue;
        commands.push(ENABLE);
        if (!ctx.check) await mustOn(ctx, conns[i]!, ENABLE);
      }
      done.push(`enabled on ${toEnable.join(', ')}`);
    }
    const conf = ctx.check || !setUp ? member.find((m) => m.state === 'ours') : membership(await readCorosyncConf(ctx.conn, ctx.become), p.name, names);
    if (setUp && !ctx.check && conf?.state !== 'ours') {
      throw new ModuleError(`pcs cluster setup finished but ${ctx.host}'s corosync.conf does not describe cluster ${p.name}`);
    }
    const twoNode = conf !== undefined && conf.state !== 'none' ? conf.conf.twoNode : p.nodes.length === 2;
    const changed = commands.length > 0;
    const msg = changed ? (ctx.check ? `would: ${done.join('; ')}` : done.join('; ')) : `cluster ${p.name} set up, running and enabled`;
    return { changed, msg, commands, before, twoNode };
  },
});
