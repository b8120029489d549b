// What governs each recovery phase, and the setting a user would change to shorten it, with the value the
// cluster runs now. This is the map from a phase to its knob; which phase matters is decided by the measured
// numbers (recovery-verdict.ts), never here.
import { IDS } from '../roles/pacemaker/layout';
import { DRBD_RESOURCE } from './recovery-probe';
import type { ResourceSettings, Settings } from './recovery-settings';
import type { MilestoneId, Scenario } from './recovery-timeline';

const ms = (v: number | undefined): string => (v === undefined ? 'unknown' : v % 1000 === 0 ? `${v / 1000} s` : `${v} ms`);

function op(s: Settings, id: string, pick: (r: ResourceSettings) => string | undefined, what: string): string {
  const r = s.resources.get(id);
  const v = r ? pick(r) : undefined;
  return `${id} ${what} ${v ?? 'unset (pcs default)'}`;
}

const monitor = (s: Settings, id: string): string => op(s, id, (r) => r.monitorInterval, 'monitor interval');
const startTimeout = (s: Settings, id: string): string => op(s, id, (r) => r.startTimeout, 'start timeout');
const stopTimeout = (s: Settings, id: string): string => op(s, id, (r) => r.stopTimeout, 'stop timeout');
const dampen = (s: Settings): string => `${IDS.ping}'s dampen ${s.resources.get(IDS.ping)?.attributes.dampen ?? 'unknown'} (pacemaker role: ping_dampen) and ${monitor(s, IDS.ping)}`;

/** One sentence: what the phase ending at `id` waits for, and the setting that governs it. */
export function governs(scenario: Scenario, id: MilestoneId, s: Settings): string {
  const drbdNet = `DRBD's net ping-int (now ${ms(s.drbd.pingInt.ms)}) and ping-timeout (now ${ms(s.drbd.pingTimeout.ms)}), set in the resource file's net section (templates/drbd-resource.hbs; no role variable yet)`;
  switch (id) {
    case 'seen':
      if (scenario === 'power cut') {
        return `corosync's failure detection: totem token (now ${ms(s.token.ms)}) plus consensus (now ${ms(s.consensus.ms)}, 1.2 x token unless set); the pacemaker role sets neither: \`pcs cluster config update totem token=MS\` (pcs 0.10.8 and later; totem { token } in corosync.conf on both nodes otherwise), then corosync must reload or restart; a shorter token also declares a node dead after a shorter network hiccup`;
      }
      return '`pcs` itself (a Python CLI: its start-up, then the CIB update); `crm_attribute --node NODE --name standby --update on|off` sets the same attribute without it';
    case 'booted':
      return 'the node booting to sshd (here a UML kernel; on real hardware firmware and POST dominate): no cluster setting';
    case 'rejoined':
      return 'corosync and pacemaker starting at boot and the membership join (totem join/consensus); no setting worth changing';
    case 'drbdPeerLost':
      return `DRBD noticing a peer that went silent: an idle connection only at its next ping, ${drbdNet}; pacemaker cannot promote the survivor before`;
    case 'drbdConnected':
      return `the DRBD resource starting on the node (the drbd agent's start, ${startTimeout(s, DRBD_RESOURCE)}) and connecting to its peer (connect-int, the pause between attempts, now ${ms(s.drbd.connectInt.ms)})`;
    case 'synced':
      return "the resync of what was written while the node was away: DRBD's resync rate (resync-rate, or c-max-rate with the dynamic controller) and the activity log (al-extents: after a crash the whole log's extents are resynced)";
    case 'promotable':
      return `the DRBD agent setting its promotion score on the node from its start, monitor and notifications (${monitor(s, DRBD_RESOURCE)}; the scores themselves: the agent's adjust_master_score)`;
    case 'pingd':
      return `ping setting pingd on the node: ${dampen(s)}; the floating IP may not run where pingd is unset, and the vProtect group is colocated with it`;
    case 'mariadb':
      return `MariaDB starting on the node (the mariadb clone; ${startTimeout(s, IDS.mariadb)}); the vProtect group is ordered after it`;
    case 'groupStopped':
      return scenario === 'power cut'
        ? 'nothing to stop: without stonith pacemaker takes the lost node\'s resources as stopped once it noticed (with stonith enabled this phase becomes the fencing delay)'
        : scenario === 'standby'
          ? `stopping vprotect-server and vprotect-node (their own stop time; ${stopTimeout(s, IDS.server)} only bounds a hung stop)`
          : `pacemaker deciding to move back, then stopping vprotect-server and vprotect-node: the group may also wait for pingd on the returning node through its colocation with the floating IP (${dampen(s)}); ${stopTimeout(s, IDS.server)} only bounds a hung stop`;
    case 'storageReleased':
      return scenario === 'power cut'
        ? 'nothing to stop on a node that is gone'
        : `unmounting the data filesystem on the old node (Filesystem stop: dirty data flushed first; ${stopTimeout(s, IDS.fs)})`;
    case 'primary':
      return scenario === 'power cut'
        ? `the DRBD agent's promote, and with the peer unreachable DRBD's fence-peer handler (crm-fence-peer) placing its constraint first; promotion also waits for DRBD to drop the old connection (${drbdNet})`
        : `the old node's demote and the new node's promote (the DRBD agent; ${monitor(s, DRBD_RESOURCE)})`;
    case 'mounted':
      return `mounting the filesystem (Filesystem start; after a power cut XFS replays its log first; ${startTimeout(s, IDS.fs)} only bounds it)`;
    case 'service':
      return `vprotect-node and vprotect-server starting (the product's own start time; ${startTimeout(s, IDS.server)} only bounds it)`;
    case 'vip':
      return `the floating IP (IPaddr2) moving: it is colocated with the vProtect group; ${monitor(s, IDS.vip)}`;
    case 'api':
      return "the server answering once its unit is active (the product's warm-up) and clients' ARP caches following IPaddr2's gratuitous ARP";
  }
}
