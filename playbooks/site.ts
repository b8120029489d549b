// The whole vProtect HA cluster on a two-node inventory group `cluster`:
//   npx ts-node playbooks/site.ts -i inventory/prod [--check --diff] [--tags mariadb]
import { play, playbook } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { common } from '../roles/common';
import { drbd } from '../roles/drbd';
import { vdoRole as vdo } from '../roles/vdo';
import { mariadbMasterMaster } from '../roles/mariadb_master_master';
import { pacemaker } from '../roles/pacemaker';
import { vprotectRegistration } from '../roles/vprotect_registration';
import { adoptionChecks } from '../roles/adoption';

export const site = playbook('site', [
  play({
    name: 'vProtect HA cluster',
    hosts: 'cluster',
    become: true,
    // Two nodes are one cluster: a step that fails on one stops both before the next, so a cluster-wide step
    // (the CIB push, the replication pair) never runs on the other node alone with half the inputs.
    anyErrorsFatal: true,
    // What a cluster built by hand has is read first, and what cannot be converged safely is refused before any
    // role changes a host. Storage and the database come up before the cluster takes them over; the node
    // registers last, once the cluster runs vProtect on the preferred node.
    roles: [adoptionChecks, common, drbd, vdo, mariadbMasterMaster, pacemaker, vprotectRegistration],
  }),
]);

runIfMain(module, site);
