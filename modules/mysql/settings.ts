// mysql_settings: bring the running servers of a replicating pair to the settings their option files now hold.
// Dynamic settings are set live (SET GLOBAL, the replica threads paused around them at a known position, which
// also makes a replica take a changed rpl_semi_sync_slave_enabled: it is read when the IO thread connects);
// static ones (log names, bind address, port) need a restart, done one node at a time: the node that runs no
// service first, then the next only once the restarted one is back and both replicas are caught up again.
// A MariaDB run by the cluster is unmanaged for the restart, so pacemaker neither sees a failure nor restarts
// what depends on it. Run it once (runOnce): it reaches every node through its connection.
import type { HostName, ModuleContext, ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { parseCrmMon } from '../cluster_status';
import { queryRows, runSql } from './client';
import { checkLogin, type MysqlLogin } from './login';
import { readPrimary, readReplica, type BinlogPosition, type ReplicaStatus } from './replication';
import { readLive } from './survey';
import { sqlString } from './sql';

export type SettingName =
  | 'server_id'
  | 'log_bin'
  | 'relay_log'
  | 'binlog_format'
  | 'replicate_do_db'
  | 'auto_increment_increment'
  | 'auto_increment_offset'
  | 'bind_address'
  | 'port'
  | 'rpl_semi_sync_master_wait_point'
  | 'rpl_semi_sync_master_timeout'
  | 'rpl_semi_sync_master_wait_no_slave'
  | 'sync_binlog'
  | 'rpl_semi_sync_master_enabled'
  | 'rpl_semi_sync_slave_enabled';

/** log_bin and relay_log are absolute basenames; the semi-sync switches ON or OFF, its timeout in ms. */
export type ServerSettings = Readonly<Record<SettingName, string | number>>;

// In the order they are set: the wait point and timeout before semi-sync is switched on.
const DYNAMIC: readonly SettingName[] = [
  'server_id',
  'binlog_format',
  'replicate_do_db',
  'auto_increment_increment',
  'auto_increment_offset',
  'sync_binlog',
  'rpl_semi_sync_master_wait_point',
  'rpl_semi_sync_master_timeout',
  'rpl_semi_sync_master_wait_no_slave',
  'rpl_semi_sync_master_enabled',
  'rpl_semi_sync_slave_enabled',
];
const STATIC: readonly SettingName[] = ['log_bin', 'relay_log', 'bind_address', 'port'];
/** Every setting this module brings a server to: what a role owning them must set in one place only. */
export const SETTING_NAMES: readonly SettingName[] = [...DYNAMIC, ...STATIC];

export interface SettingsNode {
  readonly host: string;
  readonly settings: ServerSettings;
  /** The peer this node replicates from and that replicates from it (for the catch-up wait). */
  readonly peer?: string;
}

export interface MysqlSettingsParams {
  readonly nodes: readonly SettingsNode[];
  /** The server's systemd unit (mariadb). */
  readonly service: string;
  /** Seconds to wait for a restarted node to be back and caught up (default 180). */
  readonly waitSeconds?: number;
  /** Only say what would be done (an adoption report), as under --check but unchanged. */
  readonly planOnly?: boolean;
  readonly login?: MysqlLogin;
}

export interface NodeChange {
  readonly host: string;
  /** Settings set live: name -> [before, after]. */
  readonly live: Readonly<Record<string, readonly [string, string]>>;
  /** Settings that need a restart: name -> [before, after]. */
  readonly restart: Readonly<Record<string, readonly [string, string]>>;
}

export interface MysqlSettingsResult extends ModuleResult {
  readonly nodes: readonly NodeChange[];
  /** Hosts restarted (or that would be), in order. */
  readonly restarted: readonly string[];
}

interface NodeState {
  readonly host: string;
  readonly ctx: ModuleContext;
  readonly live: Record<SettingName, string>;
  readonly replica?: ReplicaStatus;
  readonly primary?: BinlogPosition;
}

async function readState(host: string, ctx: ModuleContext, login: MysqlLogin | undefined): Promise<NodeState> {
  const { live: l, replica, primary } = await readLive(ctx, login);
  const live: Record<SettingName, string> = {
    server_id: String(l.serverId),
    log_bin: l.logBinBasename ?? '',
    relay_log: l.relayLogBasename,
    binlog_format: l.binlogFormat,
    replicate_do_db: l.replicateDoDb,
    auto_increment_increment: String(l.autoIncrementIncrement),
    auto_increment_offset: String(l.autoIncrementOffset),
    bind_address: l.bindAddress,
    port: String(l.port),
    rpl_semi_sync_master_wait_point: l.semiSync.rpl_semi_sync_master_wait_point ?? '',
    rpl_semi_sync_master_timeout: l.semiSync.rpl_semi_sync_master_timeout ?? '',
    rpl_semi_sync_master_wait_no_slave: l.semiSync.rpl_semi_sync_master_wait_no_slave ?? '',
    sync_binlog: l.semiSync.sync_binlog ?? '',
    rpl_semi_sync_master_enabled: l.semiSync.rpl_semi_sync_master_enabled ?? '',
    rpl_semi_sync_slave_enabled: l.semiSync.rpl_semi_sync_slave_enabled ?? '',
  };
  return { host, ctx, live, replica, primary };
}

/** A boolean as MariaDB takes it (ON, 1, TRUE...), spelled ON or OFF; anything else as it is. */
const onOff = (v: string): string => (/^(on|1|true|yes)$/i.test(v) ? 'ON' : /^(off|0|false|no)$/i.test(v) ? 'OFF' : v);
const BOOLEANS: ReadonlySet<SettingName> = new Set(['rpl_semi_sync_master_enabled', 'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_master_wait_no_slave']);
const CASE_FREE: ReadonlySet<SettingName> = new Set(['binlog_format', 'rpl_semi_sync_master_wait_point']);

/** Compared as MariaDB reads them, so a converged server never looks changed (ON against 1, row against ROW). */
function same(name: SettingName, live: string, want: string | number): boolean {
  if (BOOLEANS.has(name)) return onOff(live) === onOff(String(want));
  if (CASE_FREE.has(name)) return live.toUpperCase() === String(want).toUpperCase();
  return live === String(want);
}

function changesOf(s: NodeState, want: ServerSettings, names: readonly SettingName[]): Record<string, readonly [string, string]> {
  return Object.fromEntries(names.filter((k) => !same(k, s.live[k], want[k])).map((k) => [k, [s.live[k] || '(off)', String(want[k])] as const]));
}

const describe = (c: Readonly<Record<string, readonly [string, string]>>): string =>
  Object.entries(c)
    .map(([k, [a, b]]) => `${k} ${a} -> ${b}`)
    .join(', ');

const coordinates = (r: ReplicaStatus): string => `${r.relayMasterLogFile}:${r.execMasterLogPos}`;

/** Binlog file names compare by their sequence number within one basename. */
function atOrAfter(have: { file: string; position: number }, want: BinlogPosition): boolean {
  if (have.file === want.file) return have.position >= want.position;
  const seq = (f: string): number => Number(/\.(\d+)$/.exec(f)?.[1] ?? -1);
  return have.file.replace(/\.\d+$/, '') === want.file.replace(/\.\d+$/, '') && seq(have.file) > seq(want.file);
}

/** The cluster resource (its top-level id) that runs `service`, when pacemaker manages MariaDB. */
async function clusterResource(ctx: ModuleContext, service: string): Promise<string | undefined> {
  const xpath = `//primitive[(@class='systemd' or @class='service') and @type='${service}']`;
  const r = await probe(ctx, sh`cibadmin --query --xpath ${xpath} 2>/dev/null`);
  const id = /<primitive[^>]*\bid="([^"]+)"/.exec(r.stdout)?.[1];
  if (r.code !== 0 || !id) return undefined;
  // The clone around it, if any: crm_resource acts on the clone for every instance.
  const parent = await probe(ctx, sh`cibadmin --query --xpath ${`//clone[primitive[@id='${id}']]`} 2>/dev/null`);
  return /<clone[^>]*\bid="([^"]+)"/.exec(parent.stdout)?.[1] ?? id;
}

/** The nodes running a cluster service other than clones (the active node), from crm_mon; [] without a cluster. */
async function activeNodes(ctx: ModuleContext): Promise<string[]> {
  const r = await probe(ctx, 'crm_mon --one-shot --inactive --output-as=xml 2>/dev/null');
  if (r.code !== 0) return [];
  const state = parseCrmMon(r.stdout);
  return [...new Set(state.resources.filter((x) => x.active && !x.parent?.endsWith('-clone')).flatMap((x) => x.nodes))];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Set dynamic settings live; a running replica is paused around them (it resumes where it stopped). Its IO
 * thread restarting with it is what makes a changed rpl_semi_sync_slave_enabled count: MariaDB reads it when the
 * IO thread connects. An IO thread still connecting (its SQL thread stopped) is restarted alone for it.
 */
export function liveStatements(replica: ReplicaStatus | undefined, changes: Readonly<Record<string, readonly [string, string]>>): string[] {
  const sets = Object.entries(changes).map(([k, [, v]]) => `SET GLOBAL ${k} = ${/^\d+$/.test(v) ? v : sqlString(v)}`);
  if (replica && (replica.ioRunning || replica.sqlRunning)) return ['STOP SLAVE', ...sets, 'START SLAVE'];
  const ioThread = replica !== undefined && replica.ioState !== '' && replica.ioState !== 'No';
  if (ioThread && 'rpl_semi_sync_slave_enabled' in changes) return [...sets, 'STOP SLAVE IO_THREAD', 'START SLAVE IO_THREAD'];
  return sets;
}

async function setLive(s: NodeState, changes: Record<string, readonly [string, string]>, login: MysqlLogin | undefined): Promise<void> {
  await runSql(s.ctx, login, liveStatements(s.replica, changes).join(';\n') + ';');
}

/** Wait until the node answers, then until every replica between it and its peer runs and is caught up. */
async function waitCaughtUp(node: NodeState, peer: NodeState | undefined, login: MysqlLogin | undefined, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let nudged = false;
  let last = 'MariaDB does not answer yet';
  for (;;) {
    try {
      const pairs: [NodeState, NodeState][] = peer ? [[node, peer], [peer, node]] : [];
      let ok = true;
      for (const [replicaSide, sourceSide] of pairs) {
        const before = await readReplica(replicaSide.ctx, login);
        if (!before) continue; // not a replica of anyone: nothing to catch up
        const source = await readPrimary(sourceSide.ctx, login);
        let r = await readReplica(replicaSide.ctx, login);
        if (r && !r.ioRunning && replicaSide === peer && !nudged) {
          // The peer's IO thread lost its source during the restart and would retry only after Connect_Retry.
          await runSql(peer.ctx, login, 'STOP SLAVE IO_THREAD; START SLAVE IO_THREAD;');
          nudged = true;
          r = await readReplica(replicaSide.ctx, login);
        }
        const error = r?.lastSqlError || (r?.ioRunning ? '' : r?.lastIoError) || '';
        if (error) throw new ModuleError(`replication on ${replicaSide.host} stopped after ${node.host}'s restart: ${error}`);
        const caught = r !== undefined && r.ioRunning && r.sqlRunning && source !== undefined && atOrAfter({ file: r.relayMasterLogFile, position: r.execMasterLogPos }, source);
        if (!caught) {
          ok = false;
          last = r ? `${replicaSide.host} at ${coordinates(r)} (IO ${r.ioState}, SQL ${r.sqlRunning ? 'Yes' : 'No'}), ${sourceSide.host} at ${source ? `${source.file}:${source.position}` : '?'}` : `${replicaSide.host} is no replica`;
        }
      }
      if (!pairs.length) await queryRows(node.ctx, login, 'SELECT 1');
      if (ok) return;
    } catch (e) {
      if (e instanceof ModuleError && /replication on/.test(e.message)) throw e;
      last = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
    if (Date.now() >= deadline) throw new ModuleError(`${node.host}: not back and caught up after ${seconds}s: ${last}`);
    await sleep(1000);
  }
}

function checkParams(p: MysqlSettingsParams): void {
  checkLogin(p.login, 'mysql_settings');
  if (!p.nodes.length) throw new ConfigError('mysql_settings: no nodes');
  if (!/^[A-Za-z0-9@._-]+$/.test(p.service)) throw new ConfigError(`mysql_settings: ${JSON.stringify(p.service)} is not a unit name`);
}

export const mysqlSettings = defineModule<MysqlSettingsParams, MysqlSettingsResult>({
  name: 'mysql_settings',
  checkMode: true,
  describe: (p) => `MariaDB settings live on ${p.nodes.map((n) => n.host).join(', ')} (restarts one node at a time)`,
  preflight: checkParams,
  async run(p, ctx) {
    const ctxOf = (host: string): ModuleContext => ctx.on(host as HostName);
    const states = new Map<string, NodeState>();
    for (const n of p.nodes) states.set(n.host, await readState(n.host, ctxOf(n.host), p.login));
    const changes: NodeChange[] = p.nodes.map((n) => ({
      host: n.host,
      live: changesOf(states.get(n.host)!, n.settings, DYNAMIC),
      restart: changesOf(states.get(n.host)!, n.settings, STATIC),
    }));
    const active = await activeNodes(ctx);
    // The node running vProtect restarts last, so the service keeps a database for as long as possible.
    const toRestart = changes.filter((c) => Object.keys(c.restart).length).sort((a, b) => Number(active.includes(a.host)) - Number(active.includes(b.host)));
    const kept = p.nodes.flatMap((n) => {
      const r = states.get(n.host)!.replica;
      return r && n.peer ? [`${n.host} replicates ${n.peer} from ${coordinates(r)}`] : [];
    });
    const words: string[] = [];
    for (const c of changes) if (Object.keys(c.live).length) words.push(`${c.host}: ${describe(c.live)} (live, no restart)`);
    if (toRestart.length) {
      words.push(
        `restart ${toRestart.map((c) => `${c.host}'s MariaDB (${describe(c.restart)})`).join(', then ')}, one at a time, each caught up with its peer before the next`,
      );
    }
    if (!words.length) return { changed: false, msg: 'the servers run with the wanted settings', nodes: changes, restarted: [] };
    const summary = words.join('; ') + (kept.length ? `; replication keeps its coordinates (${kept.join('; ')})` : '');
    if (ctx.check || p.planOnly) return { changed: !p.planOnly, msg: `would ${summary}`, nodes: changes, restarted: toRestart.map((c) => c.host) };

    for (const c of changes) if (Object.keys(c.live).length) await setLive(states.get(c.host)!, { ...c.live }, p.login);
    const resource = toRestart.length ? await clusterResource(ctx, p.service) : undefined;
    if (resource) await probe(ctx, sh`crm_resource --resource ${resource} --meta --set-parameter is-managed --parameter-value false`);
    try {
      for (const c of toRestart) {
        const node = states.get(c.host)!;
        const r = await node.ctx.conn.exec(sh`systemctl restart ${p.service}`, { become: ctx.become });
        if (r.code !== 0) throw new ModuleError(`${c.host}: systemctl restart ${p.service} failed: ${(r.stderr || r.stdout).trim().slice(-400)}`);
        const peerName = p.nodes.find((n) => n.host === c.host)?.peer;
        await waitCaughtUp(node, peerName ? states.get(peerName) : undefined, p.login, p.waitSeconds ?? 180);
      }
    } finally {
      if (resource) {
        await probe(ctx, sh`crm_resource --resource ${resource} --cleanup`);
        await probe(ctx, sh`crm_resource --resource ${resource} --meta --delete-parameter is-managed`);
      }
    }
    return { changed: true, msg: summary, nodes: changes, restarted: toRestart.map((c) => c.host) };
  },
});
