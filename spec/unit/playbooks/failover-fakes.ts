// spec/unit/playbooks/ holds the playbooks' unit specs, on fake hosts. This file: a two-node cluster as
// failover.ts sees it (crm_mon, the CIB's standby attributes, pcs node standby/unstandby), MariaDB's probe
// table on each node (rows replicated to the peer unless told not to), the data mount (files on it replicated
// unless told not to), and the vProtect API as a local HTTP server that is down for a moment after each move.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Vars } from '../../../engine/dsl';
import { PCS_VERSION_PROBE } from '../../../modules/pcs/dialect';
import { READ_LIVE_CIB } from '../../../modules/pcs/cib';
import { fakeCluster, type FakeCluster } from '../../support/fake-run';
import { fakeFs } from '../../support/fake-files';
import { resultSet } from '../modules/mysql/mysql-fakes';

const NODES = ['vprotect1', 'vprotect2'] as const;
type Node = (typeof NODES)[number];
const peer = (n: Node): Node => (n === 'vprotect1' ? 'vprotect2' : 'vprotect1');

export interface PairOptions {
  /** The cluster runs fs_group (DRBD) and the inventory says drbd_enabled. */
  readonly storage: boolean;
  /** Rows reach the peer (false: replication is broken). */
  readonly replicateRows?: boolean;
  /** Files on the data mount reach the peer (false: DRBD lost them). */
  readonly replicateFiles?: boolean;
  /** How long the API is down after each move (ms). */
  readonly outageMs?: number;
}

interface Row {
  readonly id: number;
  readonly run_id: string;
  readonly file_path: string | null;
  readonly file_sha256: string | null;
}

export interface FailoverPair extends FakeCluster {
  /** The node running the services. */
  active: Node;
  readonly standby: Set<Node>;
  /** Each node's probe table (undefined: no such table there). */
  readonly rows: Map<Node, Row[] | undefined>;
  readonly vars: Vars;
  close(): Promise<void>;
}

const DATA = '/vprotect_data';

function crmMon(p: FailoverPair, storage: boolean): string {
  const on = `<node name="${p.active}"/>`;
  const res = (id: string, agent: string) => `<resource id="${id}" resource_agent="${agent}" role="Started" active="true" failed="false">${on}</resource>`;
  return [
    '<crm_mon><nodes>',
    ...NODES.map((n) => `<node name="${n}" online="true" standby="${p.standby.has(n)}"/>`),
    '</nodes><resources>',
    res('Failover_IP', 'ocf:heartbeat:IPaddr2'),
    `<group id="vProtect-group">${res('vProtect-server', 'systemd:vprotect-server')}</group>`,
    storage ? `<group id="fs_group">${res('fs_resource', 'ocf:heartbeat:Filesystem')}</group>` : '',
    '</resources></crm_mon>',
  ].join('');
}

const cib = (p: FailoverPair): string =>
  `<cib><configuration><crm_config/><nodes>${NODES.map(
    (n, i) => `<node id="${i + 1}" uname="${n}"><instance_attributes id="n${i}"><nvpair id="n${i}-s" name="standby" value="${p.standby.has(n) ? 'on' : 'off'}"/></instance_attributes></node>`,
  ).join('')}</nodes><resources/><constraints/></configuration><status/></cib>`;

const values = (sql: string): string[] => [...(/VALUES \((.*)\);/.exec(sql)?.[1] ?? '').matchAll(/'((?:[^'\\]|\\.)*)'|NULL/g)].map((m) => m[1] ?? 'NULL');

export async function failoverPair(o: PairOptions): Promise<FailoverPair> {
  let apiUp = true;
  const server = http.createServer((_req, res) => {
    res.writeHead(apiUp ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hostname: pair.active }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const vars: Vars = { cluster_vip: '198.18.0.100', preferred_node: 'vprotect1', drbd_enabled: o.storage, drill_api_url: `http://127.0.0.1:${port}/api` };
  const cluster = fakeCluster({ cluster: [...NODES] }, { cluster: vars });
  let nextId = 15;
  const pair: FailoverPair = {
    ...cluster,
    active: 'vprotect1',
    standby: new Set(),
    rows: new Map(),
    vars,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const move = (): void => {
    pair.active = pair.standby.has('vprotect1') ? 'vprotect2' : 'vprotect1';
    apiUp = false;
    setTimeout(() => (apiUp = true), o.outageMs ?? 400);
  };
  for (const n of NODES) {
    const c = cluster.hosts.get(n)!;
    fakeFs(c);
    const put = c.put.bind(c);
    c.put = async (path, content, opts) => {
      await put(path, content, opts);
      if (path.startsWith(`${DATA}/`) && o.replicateFiles !== false) cluster.hosts.get(peer(n))!.file(path, Buffer.from(content).toString());
    };
    c.on(PCS_VERSION_PROBE, { stdout: '0.11.5\n' });
    c.on(READ_LIVE_CIB, () => ({ stdout: cib(pair) }));
    c.on('crm_mon --one-shot --inactive --output-as=xml', () => ({ stdout: crmMon(pair, o.storage) }));
    c.on(/^pcs node (un)?standby vprotect[12]$/, (cmd) => {
      const [, , state, node] = cmd.split(' ') as [string, string, string, Node];
      if (state === 'standby') pair.standby.add(node);
      else pair.standby.delete(node);
      move();
      return {};
    });
    c.on((cmd) => cmd.includes('uname -n; ip -4 -o addr show'), { stdout: `${n}\n2: host0 inet 198.18.0.100/24\n` });
    c.on(`mountpoint -q -- ${DATA}`, () => ({ code: pair.active === n ? 0 : 1 }));
    c.on(/^sync -- /, {});
    c.on(/^rm -f \/tmp\/\.mysql-client-/, {});
    c.on(/^mysql /, (_cmd, opts) => {
      const sql = String(opts.stdin ?? '');
      const mine = pair.rows.get(n);
      if (/^INSERT INTO/m.test(sql)) {
        const [run_id, file_path, file_sha256] = values(sql).map((v) => (v === 'NULL' ? null : v));
        const row: Row = { id: (nextId += 2), run_id: run_id!, file_path: file_path ?? null, file_sha256: file_sha256 ?? null };
        pair.rows.set(n, [...(mine ?? []), row]);
        if (o.replicateRows !== false) pair.rows.set(peer(n), [...(pair.rows.get(peer(n)) ?? []), row]);
        return { stdout: resultSet([{ id: String(row.id) }]) };
      }
      if (!mine) return { code: 1, stderr: "ERROR 1146 (42S02) at line 2: Table 'vprotect.ha_drill_probe' doesn't exist\n" };
      const asText = (r: Row) => ({ id: String(r.id), run_id: r.run_id, file_path: r.file_path, file_sha256: r.file_sha256 });
      const byId = /WHERE id = (\d+)/.exec(sql);
      const found = byId ? mine.filter((r) => r.id === Number(byId[1])) : mine.slice(-1);
      return { stdout: resultSet(found.map(asText)) };
    });
  }
  return pair;
}
