// Reading /etc/corosync/corosync.conf: which cluster, if any, a host already belongs to.
import type { Connection } from '../../engine/types';

export const COROSYNC_CONF = '/etc/corosync/corosync.conf';

export interface CorosyncNode {
  /** `name`, or ring0_addr when the file has no names (pcs 0.9 writes none). */
  readonly name: string;
  readonly addrs: readonly string[];
}

export interface CorosyncConf {
  readonly clusterName?: string;
  readonly nodes: readonly CorosyncNode[];
  /** quorum { two_node: 1 }: what two-node clusters need so one node keeps quorum alone. */
  readonly twoNode: boolean;
  /** quorum { device { ... } }: the arbiter's vote (corosync-qdevice), when one is configured. */
  readonly quorumDevice?: QuorumDevice;
}

/** A quorum device as corosync.conf holds it (what `pcs quorum device add` writes). */
export interface QuorumDevice {
  readonly model: string;
  /** model net: the corosync-qnetd server's address, its algorithm (ffsplit, lms) and TLS mode. */
  readonly host?: string;
  readonly algorithm?: string;
  readonly tls?: string;
  /** heuristics { mode; exec_NAME }: off when absent. */
  readonly heuristicsMode: string;
  readonly heuristicsExec: Readonly<Record<string, string>>;
}

interface Section {
  readonly name: string;
  readonly values: Map<string, string>;
  readonly sections: Section[];
}

/** corosync.conf's nested `name { key: value }` syntax; comments start with #. */
export function parseCorosyncConf(text: string): CorosyncConf {
  const root: Section = { name: '', values: new Map(), sections: [] };
  const stack: Section[] = [root];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const top = stack[stack.length - 1]!;
    const open = /^([\w.-]+)\s*\{$/.exec(line);
    if (open) {
      const s: Section = { name: open[1]!, values: new Map(), sections: [] };
      top.sections.push(s);
      stack.push(s);
    } else if (line === '}') {
      if (stack.length > 1) stack.pop();
    } else {
      const kv = /^([\w.-]+)\s*:\s*(.*)$/.exec(line);
      if (kv) top.values.set(kv[1]!, kv[2]!.trim());
    }
  }
  const find = (name: string): Section[] => root.sections.filter((s) => s.name === name);
  const device = find('quorum').flatMap((q) => q.sections.filter((s) => s.name === 'device'))[0];
  const nodes = find('nodelist')
    .flatMap((nl) => nl.sections.filter((s) => s.name === 'node'))
    .map((n) => {
      const addrs = [...n.values.entries()].filter(([k]) => /^ring\d+_addr$/.test(k)).map(([, v]) => v);
      return { name: n.values.get('name') ?? addrs[0] ?? '', addrs };
    });
  return {
    clusterName: find('totem')[0]?.values.get('cluster_name'),
    nodes,
    twoNode: find('quorum').some((q) => q.values.get('two_node') === '1'),
    ...(device ? { quorumDevice: quorumDeviceOf(device) } : {}),
  };
}

function quorumDeviceOf(device: Section): QuorumDevice {
  const sub = (name: string): Section | undefined => device.sections.find((s) => s.name === name);
  const model = device.values.get('model') ?? '';
  const net = sub(model) ?? sub('net');
  const heuristics = sub('heuristics');
  const exec = [...(heuristics?.values ?? new Map<string, string>())].filter(([k]) => k.startsWith('exec_'));
  return {
    model,
    ...(net?.values.has('host') ? { host: net.values.get('host') } : {}),
    ...(net?.values.has('algorithm') ? { algorithm: net.values.get('algorithm') } : {}),
    ...(net?.values.has('tls') ? { tls: net.values.get('tls') } : {}),
    heuristicsMode: heuristics?.values.get('mode') ?? 'off',
    heuristicsExec: Object.fromEntries(exec.map(([k, v]) => [k.slice('exec_'.length), v])),
  };
}

export type ClusterMembership =
  | { readonly state: 'none' }
  | { readonly state: 'ours'; readonly conf: CorosyncConf }
  | { readonly state: 'foreign'; readonly conf: CorosyncConf };

/** Compare the host's corosync.conf with the wanted cluster name and node names. */
export function membership(conf: CorosyncConf | undefined, name: string, nodeNames: readonly string[]): ClusterMembership {
  if (!conf) return { state: 'none' };
  const have = [...conf.nodes.map((n) => n.name)].sort();
  const want = [...nodeNames].sort();
  const same = conf.clusterName === name && have.length === want.length && have.every((n, i) => n === want[i]);
  return same ? { state: 'ours', conf } : { state: 'foreign', conf };
}

export async function readCorosyncConf(conn: Connection, become: boolean): Promise<CorosyncConf | undefined> {
  const buf = await conn.get(COROSYNC_CONF, { become });
  return buf ? parseCorosyncConf(buf.toString('utf8')) : undefined;
}

export function describeConf(conf: CorosyncConf): string {
  return `cluster "${conf.clusterName ?? '(unnamed)'}" with nodes ${conf.nodes.map((n) => n.name).join(', ') || '(none)'}`;
}
