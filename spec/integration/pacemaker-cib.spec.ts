// The pacemaker role, run for real through the engine's CLI on this controller (ansible_connection=local for
// vprotect1 and vprotect2) with pacemaker_cib_file: it builds the whole configuration, DRBD, VDO and
// Filesystem included, with real pcs into a CIB file made by cibadmin. Pacemaker's own tools then judge it:
// crm_verify accepts it, and crm_simulate places every resource on the preferred node and moves them all,
// DRBD's promotion included, when that node fails, goes to standby or loses the gateway. This is the proof
// one level down of what the lab kernel cannot run (no DRBD module, no device-mapper).
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Connection, ExecOptions, ExecResult } from '../../engine/types';
import type { RunEvent, HostStats } from '../../engine/runner/events';
import { main } from '../../engine/cli';
import { play, playbook } from '../../engine/dsl';
import { openConnection } from '../../engine/connection';
import { FACTS_SCRIPT, parseFacts, renderFacts } from '../../engine/facts';
import { pacemaker } from '../../roles/pacemaker';
import {
  clusterState,
  emptyCib,
  resourceParameter,
  runningOn,
  setNodeAttribute,
  simulate,
  TransitionGraph,
  verify,
  type ClusterState,
} from '../support/pacemaker-tools';

const NODES = ['vprotect1', 'vprotect2'] as const;
const PROD_VARS = path.join(__dirname, '../../inventory/prod/group_vars/all.yml');

/** The controller seen as a RHEL host: facts say so, every other command runs here for real. */
class RedHatFacts implements Connection {
  constructor(
    private readonly inner: Connection,
    private readonly major: number,
  ) {}
  get host() {
    return this.inner.host;
  }
  async exec(cmd: string, opts?: ExecOptions): Promise<ExecResult> {
    const r = await this.inner.exec(cmd, opts);
    if (cmd !== FACTS_SCRIPT) return r;
    const real = parseFacts(r.stdout);
    const os = { id: 'rhel', versionId: `${this.major}.9`, major: this.major, family: 'RedHat' as const };
    return { ...r, stdout: renderFacts({ ...real, os, pkgMgr: 'dnf' }) };
  }
  put(p: string, c: string | Buffer, o?: Parameters<Connection['put']>[2]) {
    return this.inner.put(p, c, o);
  }
  get(p: string, o?: Parameters<Connection['get']>[1]) {
    return this.inner.get(p, o);
  }
  close() {
    return this.inner.close();
  }
}

interface Case {
  readonly title: string;
  readonly vdo: boolean;
  /** RHEL major the hosts claim to run; undefined: the controller's own facts (Debian). */
  readonly rhel?: number;
  readonly fsGroup: readonly string[];
  readonly agents: Readonly<Record<string, string>>;
  readonly fsDevice: string;
}

const CASES: readonly Case[] = [
  {
    title: 'DRBD with VDO, RHEL 8 (vdo manager)',
    vdo: true,
    rhel: 8,
    fsGroup: ['vdo_resource', 'fs_resource'],
    agents: { vdo_resource: 'ocf:heartbeat:vdo-vol', fs_resource: 'ocf:heartbeat:Filesystem' },
    fsDevice: '/dev/mapper/vdo_data',
  },
  {
    title: 'DRBD with VDO, RHEL 9 (LVM-VDO)',
    vdo: true,
    rhel: 9,
    fsGroup: ['vdo_resource', 'fs_resource'],
    agents: { vdo_resource: 'ocf:heartbeat:LVM-activate', fs_resource: 'ocf:heartbeat:Filesystem' },
    fsDevice: '/dev/vg_vdo_data/vdo_data',
  },
  {
    title: 'DRBD without VDO (the controller\'s own facts)',
    vdo: false,
    fsGroup: ['fs_resource'],
    agents: { fs_resource: 'ocf:heartbeat:Filesystem' },
    fsDevice: '/dev/drbd0',
  },
];

const site = playbook('pacemaker-cib', [play({ name: 'cluster configuration into a CIB file', hosts: 'cluster', become: true, roles: [pacemaker] })]);

interface RoleRun {
  readonly exitCode: number;
  readonly events: RunEvent[];
  readonly stats: Readonly<Record<string, HostStats>>;
  readonly errors: string[];
}

/** An inventory of two local hosts with the prod group_vars as they are; their !env secrets get made-up values. */
function writeInventory(dir: string): NodeJS.ProcessEnv {
  mkdirSync(path.join(dir, 'group_vars'), { recursive: true });
  writeFileSync(
    path.join(dir, 'hosts'),
    ['[cluster]', 'vprotect1 ansible_connection=local ansible_host=10.40.1.50', 'vprotect2 ansible_connection=local ansible_host=10.40.1.52', ''].join('\n'),
  );
  copyFileSync(PROD_VARS, path.join(dir, 'group_vars/all.yml'));
  const env: NodeJS.ProcessEnv = {};
  for (const m of readFileSync(PROD_VARS, 'utf8').matchAll(/!env\s+([A-Z0-9_]+)/g)) env[m[1]!] = `spec-secret-${m[1]!.toLowerCase()}`;
  return env;
}

async function runRole(inventory: string, env: NodeJS.ProcessEnv, c: Case, cibFile: string): Promise<RoleRun> {
  const lines: string[] = [];
  const errors: string[] = [];
  const extra = JSON.stringify({ pacemaker_cib_file: cibFile, drbd_enabled: true, vdo_enabled: c.vdo });
  const exitCode = await main(site, ['-i', inventory, '--json', '-e', extra], {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    env,
    isTTY: false,
    connect: (entry) => {
      const local = openConnection(entry, {});
      return c.rhel ? new RedHatFacts(local, c.rhel) : local;
    },
  });
  const events = lines.map((l) => JSON.parse(l) as RunEvent);
  const recap = events.find((e) => e.type === 'recap');
  return { exitCode, events, stats: recap?.type === 'recap' ? recap.stats : {}, errors };
}

const changedTasks = (r: RoleRun): string[] =>
  r.events.flatMap((e) => (e.type === 'result' && e.status === 'changed' ? [`${e.host}: ${e.task.name}`] : []));

/**
 * The role's file after one simulated transition with both nodes up, then the scores the agents would report
 * (DRBD's promotion score per node, none for a disk it would not promote; ping's reachability) and the
 * transition that follows them.
 */
function startedCluster(dir: string, cib: string, name: string, drbdScores: Readonly<Record<string, number>>): string {
  const booted = path.join(dir, `${name}-booted.xml`);
  simulate(cib, booted, { quorum: true, up: NODES });
  for (const n of NODES) {
    const score = drbdScores[n];
    if (score !== undefined) setNodeAttribute(booted, n, 'master-replicate', score, 'reboot');
    setNodeAttribute(booted, n, 'pingd', 1000, 'reboot');
  }
  const settled = path.join(dir, `${name}.xml`);
  simulate(booted, settled, { quorum: true });
  return settled;
}

/** Everything that is not a plain clone (ping, MariaDB) runs on `node` alone, DRBD promoted there. */
function expectAllOn(s: ClusterState, c: Case, node: string, peer: { name: string; up: boolean }): void {
  for (const id of ['Failover_IP', ...c.fsGroup, 'vProtect-node', 'vProtect-server']) {
    expect(runningOn(s, id), `${id} runs on`).to.deep.equal([node]);
  }
  expect(runningOn(s, 'replicate', 'Promoted'), 'DRBD promoted on').to.deep.equal([node]);
  expect(runningOn(s, 'replicate', 'Unpromoted'), 'DRBD unpromoted on').to.deep.equal(peer.up ? [peer.name] : []);
  const stoppedOutsideClones = s.placements.filter((p) => p.role === 'Stopped' && p.parent?.kind !== 'clone').map((p) => p.resource);
  expect(stoppedOutsideClones, 'resources placed nowhere').to.deep.equal([]);
  const clones = peer.up ? [node, peer.name].sort() : [node];
  expect(runningOn(s, 'ping'), 'ping clone').to.deep.equal(clones);
  expect(runningOn(s, 'mariadb'), 'MariaDB clone').to.deep.equal(clones);
}

describe('pacemaker role into a CIB file: crm_verify and crm_simulate judge the configuration', function () {
  this.timeout(240_000);

  for (const c of CASES) {
    describe(c.title, () => {
      let dir: string;
      let cib: string;
      let env: NodeJS.ProcessEnv;
      let first: RoleRun;
      let settled: string;

      before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), 'pacemaker-cib-'));
        env = writeInventory(path.join(dir, 'inventory'));
        cib = path.join(dir, 'cib.xml');
        emptyCib(cib, NODES);
        first = await runRole(path.join(dir, 'inventory'), env, c, cib);
        // Both disks UpToDate: the DRBD agent gives both nodes the same score.
        settled = startedCluster(dir, cib, 'settled', { vprotect1: 10000, vprotect2: 10000 });
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      it('the role run ends failed=0; only the preferred node changed anything, and only the CIB file', () => {
        expect(first.errors).to.deep.equal([]);
        expect(first.exitCode).to.equal(0);
        expect(first.stats['vprotect1']).to.include({ failed: 0, unreachable: 0 });
        expect(first.stats['vprotect2']).to.include({ failed: 0, unreachable: 0, changed: 0 });
        expect(changedTasks(first)).to.deep.equal([
          'vprotect1: Two-node properties: quorum policy and stonith',
          'vprotect1: Resource defaults: failure-timeout and migration-threshold',
          'vprotect1: Define resources',
          'vprotect1: Define constraints',
        ]);
        const skipped = first.events.flatMap((e) => (e.type === 'result' && e.status === 'skipped' && e.host === 'vprotect1' ? [e.task.name] : []));
        expect(skipped).to.include.members(['Set up, start and enable the cluster', 'Copy the live CIB to build the resources in', 'Push the resource configuration']);
      });

      it('crm_verify accepts the file without errors or warnings', () => {
        expect(verify(cib)).to.deep.equal({ code: 0, output: '' });
      });

      it('DRBD is a promotable clone of its own; fs_group holds only the data path, in order, on the right device', () => {
        const s = clusterState(cib);
        const drbd = s.placements.filter((p) => p.resource === 'replicate');
        expect(drbd.map((p) => p.parent)).to.deep.equal([
          { kind: 'clone', id: 'replicateClone', promotable: true },
          { kind: 'clone', id: 'replicateClone', promotable: true },
        ]);
        expect(drbd[0]!.agent).to.equal('ocf:linbit:drbd');
        expect(s.groups.get('fs_group')).to.deep.equal(c.fsGroup);
        expect(s.groups.get('vProtect-group')).to.deep.equal(['vProtect-node', 'vProtect-server']);
        for (const [id, agent] of Object.entries(c.agents)) expect(s.placements.find((p) => p.resource === id)?.agent, id).to.equal(agent);
        expect(resourceParameter(cib, 'fs_resource', 'device')).to.equal(c.fsDevice);
        expect(resourceParameter(cib, 'replicate', 'drbd_resource')).to.equal('replicate');
      });

      it('both nodes up, DRBD reporting its score: everything runs on vprotect1, DRBD promoted there', () => {
        const s = clusterState(settled);
        expect(s.online).to.deep.equal(['vprotect1', 'vprotect2']);
        expectAllOn(s, c, 'vprotect1', { name: 'vprotect2', up: true });
      });

      it('vprotect1 cannot be promoted (an Outdated disk gets no DRBD score): data, services and IP follow DRBD to vprotect2', () => {
        // The colocation with the Promoted role at work: without it the data would be mounted over a Secondary.
        const s = clusterState(startedCluster(dir, cib, 'outdated-vprotect1', { vprotect2: 10000 }));
        expectAllOn(s, c, 'vprotect2', { name: 'vprotect1', up: true });
      });

      it('start-up order: DRBD promoted before fs_group, VDO before the Filesystem, data and MariaDB before vProtect', () => {
        // One cold-start transition holds every start: the scores as permanent node attributes make it so.
        const cold = path.join(dir, 'cold.xml');
        copyFileSync(cib, cold);
        for (const n of NODES) {
          setNodeAttribute(cold, n, 'master-replicate', 10000, 'forever');
          setNodeAttribute(cold, n, 'pingd', 1000, 'forever');
        }
        const graphFile = path.join(dir, 'graph.xml');
        simulate(cold, path.join(dir, 'cold-after.xml'), { quorum: true, up: NODES, graph: graphFile });
        const g = new TransitionGraph(readFileSync(graphFile, 'utf8'));
        const start = (id: string, node = 'vprotect1') => g.find('start', id, node);
        const promote = g.find('promote', 'replicate', 'vprotect1');
        expect(g.waitsFor(start(c.fsGroup[0]!), promote), `${c.fsGroup[0]} waits for the promotion`).to.equal(true);
        if (c.vdo) expect(g.waitsFor(start('fs_resource'), start('vdo_resource')), 'Filesystem waits for VDO').to.equal(true);
        expect(g.waitsFor(start('vProtect-node'), start('fs_resource')), 'vProtect waits for the data').to.equal(true);
        for (const n of NODES) expect(g.waitsFor(start('vProtect-node'), start('mariadb', n)), `vProtect waits for MariaDB on ${n}`).to.equal(true);
        expect(g.waitsFor(start('vProtect-server'), start('vProtect-node')), 'server after node').to.equal(true);
        // and not the other way round: the promotion does not wait for the services it carries
        expect(g.waitsFor(promote, start('vProtect-node'))).to.equal(false);
      });

      it('vprotect1 fails hard: everything moves to vprotect2, DRBD promoted there', () => {
        const failed = path.join(dir, 'failed.xml');
        simulate(settled, failed, { fail: ['vprotect1'] });
        const s = clusterState(failed);
        expect(s.online).to.deep.equal(['vprotect2']);
        expectAllOn(s, c, 'vprotect2', { name: 'vprotect1', up: false });
      });

      it('vprotect1 in standby: everything moves to vprotect2, DRBD promoted there', () => {
        const standby = path.join(dir, 'standby.xml');
        copyFileSync(settled, standby);
        setNodeAttribute(standby, 'vprotect1', 'standby', 'on', 'forever');
        const after = path.join(dir, 'standby-after.xml');
        simulate(standby, after, {});
        expectAllOn(clusterState(after), c, 'vprotect2', { name: 'vprotect1', up: false });
      });

      it('vprotect1 loses the gateway (ping score 0): the floating IP and everything under it move to vprotect2', () => {
        const lost = path.join(dir, 'no-gateway.xml');
        copyFileSync(settled, lost);
        setNodeAttribute(lost, 'vprotect1', 'pingd', 0, 'reboot');
        const after = path.join(dir, 'no-gateway-after.xml');
        simulate(lost, after, {});
        const s = clusterState(after);
        for (const id of ['Failover_IP', ...c.fsGroup, 'vProtect-node', 'vProtect-server']) expect(runningOn(s, id), id).to.deep.equal(['vprotect2']);
        expect(runningOn(s, 'replicate', 'Promoted')).to.deep.equal(['vprotect2']);
      });

      it('a rerun on the same file reports changed=0 and leaves it byte-identical', async () => {
        const before = readFileSync(cib);
        const again = await runRole(path.join(dir, 'inventory'), env, c, cib);
        expect(again.exitCode).to.equal(0);
        expect(changedTasks(again)).to.deep.equal([]);
        const defined = again.events.flatMap((e) => (e.type === 'result' && e.task.name.startsWith('Define ') ? [`${e.status} ${e.host}`] : []));
        expect(defined).to.deep.equal(['ok vprotect1', 'ok vprotect1']);
        for (const n of NODES) expect(again.stats[n]).to.include({ changed: 0, failed: 0 });
        expect(readFileSync(cib).equals(before), 'the CIB file is unchanged').to.equal(true);
      });
    });
  }
});
