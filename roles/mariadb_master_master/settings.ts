// The server settings this role owns, decided from what the server already is (its survey): a server that
// already has an identity (a binary log, a replica) keeps its log names and server id, so replication keeps
// its coordinates; a fresh one gets the role's. Semi-sync is the same on every node (on or off, as asked). Also:
// which hand-made lines elsewhere would fight the drop-in, and the drop-in's template variables.
import * as path from 'node:path';
import type { MysqlSurvey } from '../../modules/mysql/survey';
import type { OptionLine } from '../../modules/mysql/option-files';
import { SETTING_NAMES, type ServerSettings } from '../../modules/mysql/settings';

/** The drop-in's name: after Debian's 50-server.cnf and RHEL's server.cnf, so it is read last. */
export const DROP_IN = '60-vprotect-replication.cnf';

/** Options that name one of the owned settings (and so must be set in the drop-in only). */
const OWNED_NAMES: ReadonlySet<string> = new Set(SETTING_NAMES);

export interface NodeSettingsInput {
  readonly name: string;
  /** 1-based position in the play: the fresh server id and the auto-increment offset. */
  readonly position: number;
  readonly nodes: number;
  readonly survey: MysqlSurvey;
  readonly peerSurvey: MysqlSurvey | undefined;
  readonly database: string;
  readonly bindAddress: string;
  readonly port: number;
  /** Semi-synchronous replication in both directions (false: both switched off). */
  readonly semiSync: boolean;
  readonly semiSyncTimeoutMs: number;
}

export interface NodeSettings {
  readonly settings: ServerSettings;
  /** How the drop-in names the logs: relative to the data directory when they live there (as MariaDB wrote them). */
  readonly logBinName: string;
  readonly relayLogName: string;
}

/** A basename in the data directory as MariaDB's own default writes it (relative); elsewhere absolute. */
function asWritten(basename: string, datadir: string): string {
  return path.dirname(basename) === datadir.replace(/\/+$/, '') ? path.basename(basename) : basename;
}

/**
 * The settings for one node. A server with a binary log or a replica keeps its identity: log and relay log
 * names (renaming them strands the peer's coordinates and its own relay log: MariaDB's ERROR 1201), and its
 * server id when it differs from the peer's (changing ids of a live pair can make one drop the other's events).
 */
export function nodeSettings(n: NodeSettingsInput): NodeSettings {
  const live = n.survey.live;
  const datadir = live?.datadir ?? '/var/lib/mysql/';
  const hasIdentity = live !== undefined && (live.logBin || n.survey.replica !== undefined);
  const logBin = hasIdentity && live.logBinBasename ? live.logBinBasename : path.join(datadir, `${n.name}-bin`);
  const relay = hasIdentity ? live.relayLogBasename : path.join(datadir, `${n.name}-relay-bin`);
  const peerId = n.peerSurvey?.live?.serverId;
  const keepId = hasIdentity && live.logBin && live.serverId > 0 && peerId !== undefined && peerId !== live.serverId;
  return {
    settings: {
      server_id: keepId ? live.serverId : n.position,
      log_bin: logBin,
      relay_log: relay,
      binlog_format: 'ROW',
      replicate_do_db: n.database,
      auto_increment_increment: n.nodes,
      auto_increment_offset: n.position,
      bind_address: n.bindAddress,
      port: n.port,
      // The binary log on disk at every commit: a node that loses power keeps every transaction it acknowledged
      // in its log, so the peer's replica of it never points past the log's end (MariaDB's default, 0, lost the
      // tail on the lab's power cut and broke replication from the cut node).
      sync_binlog: 1,
      // Each node is both source and replica of the other: both sides on (or off) for both directions.
      rpl_semi_sync_master_enabled: n.semiSync ? 'ON' : 'OFF',
      rpl_semi_sync_slave_enabled: n.semiSync ? 'ON' : 'OFF',
      // AFTER_SYNC: no client (on this node) sees a row before the peer has it, and none is acknowledged before.
      rpl_semi_sync_master_wait_point: 'AFTER_SYNC',
      rpl_semi_sync_master_timeout: n.semiSyncTimeoutMs,
      // OFF: with no replica connected (the peer down or in standby) a commit does not wait the timeout first:
      // the survivor of a fail-over writes at once, and the peer's replica turns semi-sync back on as it connects.
      rpl_semi_sync_master_wait_no_slave: 'OFF',
    },
    logBinName: asWritten(logBin, datadir),
    relayLogName: asWritten(relay, datadir),
  };
}

/** The drop-in's template variables: the settings, with the log names as the drop-in writes them. */
export function dropInVars(s: NodeSettings): ServerSettings {
  return { ...s.settings, log_bin: s.logBinName, relay_log: s.relayLogName };
}

/** Lines outside the drop-in that set an owned setting: they are commented out (the drop-in then rules alone). */
export function strayLines(survey: MysqlSurvey, dropIn: string): OptionLine[] {
  return (survey.options?.lines ?? []).filter((l) => OWNED_NAMES.has(l.name) && l.file !== dropIn);
}

/** Owned settings given on mariadbd's command line: no file edit can change them, so the role refuses. */
export function commandLineOwned(survey: MysqlSurvey): string[] {
  return survey.commandLine.filter((a) => OWNED_NAMES.has(a.replace(/^--(loose-)?/, '').split('=')[0]!.replace(/-/g, '_').toLowerCase()));
}
