// drbd: the how-to's "Setting up DRBD": the resource file with each node's real `uname -n`, metadata (guarded),
// up, the initial sync from the preferred node only, and the filesystem when VDO does not sit on top. Before
// any of that, a resource in split brain stops both nodes with the way out: nothing here picks a side.
import type { HostView } from '../../engine/dsl';
import { block, dslFor, role } from '../../engine/dsl';
import { packageModule } from '../../modules/package';
import { file } from '../../modules/file';
import { command, type CommandResult } from '../../modules/command';
import { shell } from '../../modules/shell';
import { drbdMd, drbdPrimary, drbdResource, drbdUp, type DrbdPrimaryResult } from '../../modules/drbd';
import { filesystem, type FilesystemResult } from '../../modules/storage';
import { sh } from '../../engine/shell';
import { isPreferred, nodeAddress } from '../shared/cluster';
import { preferredNodeCheck, unameMatchesInventory } from '../shared/checks';
import { pendingInCheckMode } from '../shared/check-mode';
import { splitBrainRead, splitBrainRefusal } from '../shared/split-brain';
import { DRBD_VERSION_PROBE, drbdMajor } from './version';
import { drbdVars, type DrbdVars } from './vars';

const { task } = dslFor<DrbdVars>();
type H = HostView<DrbdVars>;

export function drbdPackages(h: H): string[] {
  if (h.vars.drbd_packages) return h.vars.drbd_packages;
  const os = h.facts.os;
  if (os.family !== 'RedHat') return ['drbd-utils'];
  return os.major <= 7 ? ['kmod-drbd84', 'drbd84-utils'] : ['kmod-drbd9x', 'drbd9x-utils'];
}

/** Registered by this role: under --check, what builds on them waits while they would change. */
export const DRBD_PREREQUISITES = ['drbd_install', 'drbd_resource_file'] as const;

/** The template the resource file is rendered from (templates/drbd-resource.hbs). */
export const RESOURCE_TEMPLATE = 'drbd-resource';

/** The resource file's template variables. DRBD knows nodes by `uname -n`: the facts, never the inventory name. */
export function resourceFileVars(h: H): Record<string, unknown> {
  return {
    resource: h.vars.drbd_resource,
    drbd9: drbdMajor(h.registered<CommandResult>('drbd_version')?.stdout ?? '') === 9,
    device: h.vars.drbd_device,
    disk: h.vars.drbd_disk,
    port: h.vars.drbd_port,
    nodes: h.playHosts.map((n) => ({ hostname: h.hostvars(n).facts.hostname, address: nodeAddress(h, n) })),
  };
}

/**
 * Whether this host makes what sits on the DRBD device (VDO, the filesystem): the preferred node, unless its
 * connected peer is Primary (the cluster runs the data there, and a Secondary's device cannot be opened).
 */
export function makesDataLayers(h: Parameters<typeof isPreferred>[0]): boolean {
  return isPreferred(h) && h.registered<DrbdPrimaryResult>('drbd_primary')?.peerPrimary === undefined;
}

/**
 * Mount a fresh filesystem once to give it to the vProtect user, as the how-to's `chown -R` does. It is
 * unmounted whatever chown did, and a failed chown still fails the task.
 */
export const ownFreshFilesystem = (device: string, mountPoint: string, owner: string): string =>
  sh`mount ${device} ${mountPoint}` +
  ' && { ' +
  sh`chown ${`${owner}:${owner}`} ${mountPoint}` +
  '; owned=$?; ' +
  sh`umount ${mountPoint}` +
  ' && [ "$owned" -eq 0 ]; }';

/** Checked before any disk is touched: a chown that fails after mkfs is never retried by a rerun. */
export const dataOwnerCheck = (owner: string): string =>
  sh`id -u -- ${owner}` +
  ' >/dev/null 2>&1 || { ' +
  sh`echo ${`data_owner ${owner} is not a user on this host: install vProtect first (it creates the user) or set data_owner`}` +
  ' >&2; exit 1; }';

export const drbd = role({
  name: 'drbd',
  tags: ['drbd', 'storage'],
  vars: drbdVars,
  tasks: [
    block<DrbdVars>({
      when: (h) => h.vars.drbd_enabled,
      tasks: [
        preferredNodeCheck<DrbdVars>('drbd'),
        unameMatchesInventory<DrbdVars>('drbd'),
        task({ name: 'Install DRBD', action: (h) => packageModule({ name: drbdPackages(h), state: 'present' }), register: 'drbd_install' }),
        // Before anything touches DRBD (drbdadm is there to ask once the package is; under --check on a new host
        // it is only "would install", and no resource can be up there anyway).
        splitBrainRead<DrbdVars>({ when: (h) => !pendingInCheckMode(h, 'drbd_install') }),
        splitBrainRefusal<DrbdVars>({ when: (h) => !pendingInCheckMode(h, 'drbd_install') }),
        task({
          name: 'The data owner exists (vProtect creates it)',
          action: (h) => shell({ cmd: dataOwnerCheck(h.vars.data_owner) }),
          changedWhen: () => false,
        }),
        task({ name: 'Mount point for the replicated data', action: (h) => file({ path: h.vars.data_mount, state: 'directory', mode: 0o755 }) }),
        task({
          name: 'Which DRBD dialect the host speaks',
          action: command({ argv: ['sh', '-c', DRBD_VERSION_PROBE] }),
          changedWhen: () => false,
          // A read the resource file's dialect depends on: under --check too (else DRBD 9's, wrong on 8.4).
          checkMode: false,
          register: 'drbd_version',
        }),
        // Into the file that already defines the resource when there is one (the how-to's vprotect.res), never a
        // second definition; its path is drbd_resource_file's `path`. The steps after it need none: each drbdadm
        // call reads the host's whole configuration, where the resource is defined once.
        task({
          name: 'DRBD resource file (validated by drbdadm before it is installed)',
          action: (h) => drbdResource({ name: h.vars.drbd_resource, template: RESOURCE_TEMPLATE, vars: resourceFileVars(h) }),
          register: 'drbd_resource_file',
        }),
        block<DrbdVars>({
          name: 'the resource on its disk',
          // Under --check on a new host drbdadm is not there yet to ask.
          when: (h) => !pendingInCheckMode(h, 'drbd_install'),
          tasks: [
            task({
              name: 'DRBD metadata (refuses a disk that holds data unless drbd_force_create_md)',
              // Under --check a resource file not written yet cannot be asked about its disk.
              when: (h) => !pendingInCheckMode(h, 'drbd_resource_file'),
              action: (h) => drbdMd({ resource: h.vars.drbd_resource, force: h.vars.drbd_force_create_md, forceVariable: 'drbd_force_create_md' }),
            }),
            task({
              // A live resource (one built by hand, or before a change to the file) takes the file's settings now.
              name: 'Bring the resource up, or a live one to its file',
              action: (h) => drbdUp({ resource: h.vars.drbd_resource, fileChanging: pendingInCheckMode(h, 'drbd_resource_file') }),
            }),
            task({
              name: 'Initial sync from the preferred node',
              when: (h) => isPreferred(h) && !pendingInCheckMode(h, 'drbd_resource_file'),
              action: (h) => drbdPrimary({ resource: h.vars.drbd_resource, initialSync: true, connectTimeoutSeconds: h.vars.drbd_connect_timeout }),
              register: 'drbd_primary',
            }),
            task<FilesystemResult>({
              name: 'Filesystem on the DRBD device (refuses an existing one unless data_force_mkfs)',
              // Not while the peer is Primary: it serves the filesystem (a Secondary's device cannot be read).
              when: (h) => makesDataLayers(h) && !h.vars.vdo_enabled && !pendingInCheckMode(h, 'drbd_resource_file'),
              action: (h) =>
                filesystem({
                  device: h.vars.drbd_device,
                  fstype: h.vars.data_fstype,
                  options: h.vars.data_fstype === 'xfs' ? ['-K'] : [],
                  force: h.vars.data_force_mkfs,
                  forceVariable: 'data_force_mkfs',
                }),
              register: 'drbd_mkfs',
            }),
            task({
              name: 'Give the new filesystem to the vProtect user',
              when: (h) => isPreferred(h) && !h.vars.vdo_enabled && !!h.registered('drbd_mkfs')?.changed,
              action: (h) => shell({ cmd: ownFreshFilesystem(h.vars.drbd_device, h.vars.data_mount, h.vars.data_owner) }),
            }),
          ],
        }),
      ],
    }),
  ],
});
