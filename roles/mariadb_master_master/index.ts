// mariadb_master_master: the how-to's "MariaDB replication", made rerunnable and safe on fresh servers and on a
// pair someone built by hand. It first reads what each server is (identity, coordinates, option files), decides
// for the pair what replication needs, and refuses what it cannot do safely before changing anything. Then: the
// drop-in with the settings it owns (a server keeps the log names and id its replication refers to; semi-sync
// replication both ways, so a commit returns once the peer has it, unless mariadb_semi_sync is false), hand-made
// lines setting the same things elsewhere commented out, the servers brought to those settings (live where
// MariaDB allows, else restarted one at a time, each caught up before the next), the replication user, and
// replication itself: repaired in place when both nodes already follow each other, otherwise seeded from the
// preferred node's consistent dump (never over rows only the peer holds, unless forced), checked end to end
// with a row written on each side and read on the other.
import { randomUUID } from 'node:crypto';
import type { HostView } from '../../engine/dsl';
import { dslFor, role } from '../../engine/dsl';
import { template } from '../../modules/template';
import { assertThat } from '../../modules/assert';
import { service } from '../../modules/service';
import { mysqlQuery, mysqlUser, type MysqlLogin, type MysqlQueryResult } from '../../modules/mysql';
import { mysqlSurvey, type MysqlSurvey } from '../../modules/mysql/survey';
import { mysqlOptionLines } from '../../modules/mysql/option-lines';
import { mysqlSettings } from '../../modules/mysql/settings';
import { where } from '../../modules/mysql/option-files';
import { debug } from '../../modules/debug';
import { mysqlSeed } from '../../modules/mysql/seed';
import { mysqlReplicaRepair } from '../../modules/mysql/replica-repair';
import { nodeAddress, peerOf, preferredNode } from '../shared/cluster';
import { preferredNodeCheck } from '../shared/checks';
import { rootLogin } from '../shared/db-vars';
import { mariadbVars, type MariadbVars } from './vars';
import { DROP_IN, dropInVars, nodeSettings, strayLines, type NodeSettings } from './settings';
import { mariadbPairPlan, type PairNode, type PairPlanResult } from './pair-plan';

const { task } = dslFor<MariadbVars>();
type H = HostView<MariadbVars>;

/** One token per run: each node writes its own row, the other must read it back through replication. */
const RUN_TOKEN = randomUUID();
const CHECK_TABLE = 'ha_replication_check';

const login = (h: H): MysqlLogin | undefined => rootLogin(h.vars.mariadb_root_password);
/** The fresh server_id and the auto_increment_offset: the host's position in the play (1, 2). */
const position = (h: H, host: string = h.name): number => h.playHosts.indexOf(host as never) + 1;
const confDir = (h: H): string => h.vars.mariadb_conf_dir ?? (h.facts.os.family === 'RedHat' ? '/etc/my.cnf.d' : '/etc/mysql/mariadb.conf.d');
const dropIn = (h: H): string => `${confDir(h)}/${DROP_IN}`;
const tokenOf = (id: number): string => `${RUN_TOKEN}-${id}`;
const survey = (h: H, host: string = h.name): MysqlSurvey | undefined => h.hostvars(host).registered<MysqlSurvey>('mariadb_survey');
const running = (h: H, host: string = h.name): boolean => survey(h, host)?.running === true;
const pairPlan = (h: H): PairPlanResult | undefined => h.registered<PairPlanResult>('mariadb_pair');
const other = (h: H, host: string): string => h.playHosts.find((n) => n !== host)!;

function settingsOf(h: H, host: string = h.name): NodeSettings {
  return nodeSettings({
    name: host,
    position: position(h, host),
    nodes: h.playHosts.length,
    survey: survey(h, host)!,
    peerSurvey: survey(h, other(h, host)),
    database: h.vars.mariadb_database,
    bindAddress: h.vars.mariadb_bind_address,
    port: h.vars.mariadb_port,
    semiSync: h.vars.mariadb_semi_sync,
    semiSyncTimeoutMs: h.vars.mariadb_semi_sync_timeout_ms,
  });
}

const pairNode = (h: H, host: string): PairNode => ({ host, address: nodeAddress(h, host), survey: survey(h, host) });

const replication = (h: H) =>
  ({
    database: h.vars.mariadb_database,
    port: h.vars.mariadb_port,
    user: h.vars.mariadb_replicator_user,
    password: h.vars.mariadb_replicator_password,
    dumpPath: h.vars.mariadb_dump_path,
    ignoreTables: [CHECK_TABLE],
    force: h.vars.mariadb_replace_peer_database,
    forceVariable: 'mariadb_replace_peer_database',
    login: login(h),
  }) as const;

/**
 * Read-only, and before any change: what each server is, and for the pair what replication needs or what is
 * refused (also run first by site.ts and adopt.ts, so a refusal stops the run before any role touches a host).
 */
export const mariadbPlanTasks = [
  task({
    name: 'Read what the server is: identity, replication coordinates, option files',
    action: (h) => mysqlSurvey({ database: h.vars.mariadb_database, login: login(h) }),
    register: 'mariadb_survey',
  }),
  task({
    name: 'Both nodes were surveyed',
    action: (h) =>
      assertThat({
        that: survey(h, peerOf(h)) !== undefined,
        msg: `${peerOf(h)} did not report what its MariaDB is (unreachable or failed): replication is not changed with one node`,
      }),
  }),
  task<PairPlanResult>({
    // Run once for the pair: a refusal here stops both nodes before either is changed.
    name: 'Decide what replication needs; refuse what cannot be done safely',
    runOnce: true,
    delegateTo: (h) => preferredNode(h),
    action: (h) =>
      mariadbPairPlan({
        nodes: [pairNode(h, h.name), pairNode(h, peerOf(h))],
        preferred: preferredNode(h),
        seed: replication(h),
      }),
    register: 'mariadb_pair',
  }),
];

/** The servers brought to the drop-in's settings; with planOnly, what that would do (for the adoption report). */
export function settingsTask(planOnly: boolean) {
  return task({
    name: planOnly
      ? 'What the servers would change to run with the role\'s settings'
      : 'The servers run with these settings (live where possible, else restarted one at a time)',
    runOnce: true,
    delegateTo: (h) => preferredNode(h),
    when: (h) => h.playHosts.every((n) => running(h, n)),
    action: (h) =>
      mysqlSettings({
        nodes: h.playHosts.map((n) => ({ host: n, settings: settingsOf(h, n).settings, peer: other(h, n) })),
        service: h.vars.mariadb_service,
        login: login(h),
        planOnly,
      }),
  });
}

/** Hand-made lines that set the role's settings outside its drop-in, as a report. */
export const strayLinesReport = task({
  name: 'Option lines made by hand that the role would comment out',
  when: (h) => running(h),
  action: (h) => {
    const lines = strayLines(survey(h)!, dropIn(h));
    return debug({ msg: lines.length ? lines.map((l) => `${where(l)} ${l.text.trim()}`).join('; ') : `none: only ${dropIn(h)} would set them` });
  },
});

export const mariadbMasterMaster = role({
  name: 'mariadb_master_master',
  tags: ['mariadb'],
  vars: mariadbVars,
  tasks: [
    preferredNodeCheck<MariadbVars>('mariadb_master_master'),
    task({ name: 'MariaDB is running', action: (h) => service({ name: h.vars.mariadb_service, state: 'started' }) }),
    ...mariadbPlanTasks,
    task({
      name: 'Binary log, relay log, server id, auto-increment offsets and semi-sync (the live names kept)',
      when: (h) => running(h),
      action: (h) => template({ src: 'mariadb-replication.cnf', dest: dropIn(h), mode: 0o644, vars: dropInVars(settingsOf(h)) }),
    }),
    task({
      name: 'The same settings made elsewhere by hand are commented out',
      when: (h) => running(h),
      action: (h) => mysqlOptionLines({ lines: strayLines(survey(h)!, dropIn(h)), note: `set in ${dropIn(h)} (mariadb_master_master)` }),
    }),
    settingsTask(false),
    task({
      name: 'Replication user',
      action: (h) =>
        mysqlUser({
          name: h.vars.mariadb_replicator_user,
          host: '%',
          password: h.vars.mariadb_replicator_password,
          privileges: { '*.*': ['REPLICATION SLAVE'] },
          login: login(h),
        }),
    }),
    task({
      name: "Seed the peer from the preferred node's consistent dump, then replicate both ways (guarded)",
      runOnce: true,
      delegateTo: (h) => preferredNode(h),
      when: (h) => pairPlan(h)?.action === 'seed',
      action: (h) =>
        mysqlSeed({
          ...replication(h),
          source: { host: preferredNode(h), address: nodeAddress(h, preferredNode(h)) },
          replica: { host: other(h, preferredNode(h)), address: nodeAddress(h, other(h, preferredNode(h))) },
        }),
    }),
    task({
      name: 'Replication from the peer runs (repaired in place, no event lost or replayed)',
      // Under --check a pair that is yet to be seeded has no replica to look at.
      when: (h) => pairPlan(h)?.action === 'converge' || (pairPlan(h)?.action === 'seed' && !h.checkMode),
      action: (h) =>
        mysqlReplicaRepair({
          source: {
            host: peerOf(h),
            address: nodeAddress(h, peerOf(h)),
            port: h.vars.mariadb_port,
            user: h.vars.mariadb_replicator_user,
            password: h.vars.mariadb_replicator_password,
          },
          login: login(h),
        }),
    }),
    task({
      name: 'Write this node’s probe row',
      when: (h) => !h.checkMode, // verifies replication; under --check nothing was set up to verify
      changedWhen: () => false, // a heartbeat row, not configuration
      action: (h) =>
        mysqlQuery({
          database: h.vars.mariadb_database,
          query:
            `CREATE TABLE IF NOT EXISTS ${CHECK_TABLE} (server_id INT PRIMARY KEY, token VARCHAR(80) NOT NULL, written_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);\n` +
            `REPLACE INTO ${CHECK_TABLE} (server_id, token) VALUES (${position(h)}, '${tokenOf(position(h))}');`,
          login: login(h),
        }),
    }),
    task<MysqlQueryResult>({
      name: 'Read the peer’s probe row here (replicated)',
      when: (h) => !h.checkMode,
      action: (h) =>
        mysqlQuery({
          database: h.vars.mariadb_database,
          query: `SELECT token FROM ${CHECK_TABLE} WHERE server_id = ${position(h, peerOf(h))}`,
          readOnly: true,
          login: login(h),
        }),
      until: (r, h) => r.rows?.[0]?.token === tokenOf(position(h, peerOf(h))),
      retries: 15,
      delay: 1,
    }),
  ],
});

