// What the recovery benchmark reads on a node while a fail-over runs: pacemaker's view (crm_mon, slow, so it
// gets a loop of its own) and the node's own (DRBD role and peer, the data mount, the vProtect unit: three
// quick reads in one command). Pure parsing here; the loops are recovery-sampler.ts.
import { parseSections, sectionsScript } from '../engine/connection/framing';
import { sh } from '../engine/shell';
import { parseCrmMon, runningOn, type ClusterNode } from '../modules/cluster_status';
import { parseStatusText, type DrbdStatus } from '../modules/drbd/status';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../modules/lib/xml';
import { IDS } from '../roles/pacemaker/layout';
import { storageVars } from '../roles/shared/storage-vars';

/** The roles' defaults, which inventory/lab keeps: the DRBD resource and where its filesystem is mounted. */
export const DRBD_RESOURCE: string = storageVars.drbd_resource.parse(undefined);
export const DATA_MOUNT: string = storageVars.data_mount.parse(undefined);
/** The systemd unit behind the vProtect-server resource (agent systemd:vprotect-server, roles/pacemaker/layout.ts). */
export const SERVER_UNIT = 'vprotect-server';

/**
 * With the node attributes: a returning node gets the floating IP only once ping's `pingd` is set there, and
 * DRBD is promoted there only once its promotion score is. crm_mon can hang on a node whose pacemaker is
 * restarting: a reading that takes longer is dropped.
 */
export const CLUSTER_PROBE = 'timeout 10 crm_mon --one-shot --show-node-attributes --output-as=xml';

/** The DRBD agent's promotion score (crm_master): `master-RES` on pacemaker 2, `promotion-RES` where renamed. */
const PROMOTION_ATTRS = [`master-${DRBD_RESOURCE}`, `promotion-${DRBD_RESOURCE}`];
/** The ping clone's attribute (ocf:pacemaker:ping's default name, which the pacemaker role's location rule reads). */
const PINGD_ATTR = 'pingd';

export interface ClusterView {
  readonly nodes: readonly ClusterNode[];
  /** Where each resource runs (every member, for a group or clone), as pacemaker on the reading node sees it. */
  readonly group: readonly string[];
  readonly storage: readonly string[];
  readonly vip: readonly string[];
  readonly mariadb: readonly string[];
  /** Nodes where ping's pingd is above 0 (the floating IP may run there). */
  readonly pingd: readonly string[];
  /** Nodes where DRBD's promotion score is above 0 (pacemaker may promote there). */
  readonly promotable: readonly string[];
}

/** Nodes whose transient attribute (one of `names`) holds a number above 0. */
function withAttribute(root: XmlElement, names: readonly string[]): string[] {
  const section = childNamed(root, 'node_attributes');
  if (!section) return [];
  return childrenNamed(section, 'node')
    .filter((n) => childrenNamed(n, 'attribute').some((a) => names.includes(a.attrs.name ?? '') && Number(a.attrs.value) > 0))
    .map((n) => n.attrs.name ?? '');
}

export function readClusterView(xml: string): ClusterView {
  const state = parseCrmMon(xml);
  const root = parseXml(xml);
  return {
    nodes: state.nodes,
    group: runningOn(state, IDS.group),
    storage: runningOn(state, IDS.fsGroup),
    vip: runningOn(state, IDS.vip),
    mariadb: runningOn(state, IDS.mariadbClone),
    pingd: withAttribute(root, [PINGD_ATTR]),
    promotable: withAttribute(root, PROMOTION_ATTRS),
  };
}

export interface NodeView {
  /** Undefined while the resource is down (not configured in the kernel yet, e.g. a node still booting). */
  readonly drbd?: DrbdStatus;
  /** The device mounted on the data mount, '' when none. */
  readonly mountedFrom: string;
  /** `systemctl is-active` of the vProtect server unit: active, activating, inactive... */
  readonly service: string;
}

/** One command for the node's own state; `token` frames its three parts (engine/connection/framing.ts). */
export function nodeProbe(token: string): string {
  return sectionsScript(
    [sh`drbdadm status ${DRBD_RESOURCE}`, sh`findmnt -n -o SOURCE ${DATA_MOUNT}`, sh`systemctl is-active ${SERVER_UNIT}`],
    token,
  );
}

/** The node probe's output; undefined when it did not run to its end (the reading is dropped). */
export function readNodeView(stdout: string, token: string): NodeView | undefined {
  const [drbd, mount, service] = parseSections(stdout, token, 3);
  if (!drbd || !mount || !service) return undefined;
  const status = drbd.code === 0 ? parseStatusText(drbd.stdout, DRBD_RESOURCE) : undefined;
  return { ...(status ? { drbd: status } : {}), mountedFrom: mount.stdout.trim(), service: service.stdout.trim() };
}

export const isPrimary = (d: DrbdStatus | undefined): boolean => d?.role === 'Primary';

export const peerConnected = (d: DrbdStatus | undefined): boolean => d !== undefined && d.peers.length > 0 && d.peers.every((p) => p.connection === 'Connected');

/** Both disks UpToDate and the peer connected: the state a node is promoted from again after a resync. */
export const bothUpToDate = (d: DrbdStatus | undefined): boolean =>
  d !== undefined && d.diskState === 'UpToDate' && peerConnected(d) && d.peers.every((p) => p.diskState === 'UpToDate');
