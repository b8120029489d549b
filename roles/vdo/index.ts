// vdo (optional): the how-to's "Create VDO volume" on the DRBD device of the preferred node (unless the cluster
// runs the data on the other one), its filesystem,
// its configuration copied to the peer, and the vdo service left to the cluster.
import type { HostView } from '../../engine/dsl';
import { block, dslFor, role } from '../../engine/dsl';
import { packageModule } from '../../modules/package';
import { service } from '../../modules/service';
import { shell } from '../../modules/shell';
import { copyFromHost } from '../../modules/copy_from_host';
import { assertThat } from '../../modules/assert';
import { filesystem, vdo, type FilesystemResult, type VdoResult } from '../../modules/storage';
import { vdoImplementation } from '../../modules/storage/vdo';
import { isPreferred, preferredNode } from '../shared/cluster';
import { preferredNodeCheck } from '../shared/checks';
import { DRBD_PREREQUISITES, makesDataLayers, ownFreshFilesystem } from '../drbd';
import { pendingInCheckMode } from '../shared/check-mode';
import { vdoVars, type VdoVars } from './vars';

const { task } = dslFor<VdoVars>();
type H = HostView<VdoVars>;

const manager = (h: H): boolean => vdoImplementation(h.facts) === 'manager';
const volume = (h: H): string => h.hostvars(preferredNode(h)).registered<VdoResult>('vdo_volume')?.volume ?? `/dev/mapper/${h.vars.vdo_name}`;

export const vdoRole = role({
  name: 'vdo',
  tags: ['vdo', 'storage'],
  vars: vdoVars,
  tasks: [
    block<VdoVars>({
      when: (h) => h.vars.vdo_enabled,
      tasks: [
        preferredNodeCheck<VdoVars>('vdo'),
        task({
          name: 'VDO needs RHEL 7 to 9',
          action: (h) =>
            assertThat({ that: h.facts.os.family === 'RedHat', msg: `VDO is packaged for RHEL 7-9; ${h.name} runs ${h.facts.os.id} ${h.facts.os.versionId}: set vdo_enabled: false` }),
        }),
        task({
          name: 'Install VDO',
          action: (h) => packageModule({ name: manager(h) ? ['vdo', 'kmod-kvdo'] : ['lvm2'], state: 'present' }),
          register: 'vdo_install',
        }),
        block<VdoVars>({
          name: 'the volume on the DRBD device',
          // Under --check on a new pair neither the VDO tools nor the DRBD device are there yet to ask.
          when: (h) => !pendingInCheckMode(h, 'vdo_install', ...DRBD_PREREQUISITES),
          tasks: [
            task<VdoResult>({
              name: 'VDO volume on the DRBD device (refuses a device with data unless vdo_force)',
              when: (h) => makesDataLayers(h),
              action: (h) =>
                vdo({
                  name: h.vars.vdo_name,
                  device: h.vars.drbd_device,
                  logicalSize: h.vars.vdo_logical_size,
                  compression: true,
                  deduplication: true,
                  force: h.vars.vdo_force,
                  forceVariable: 'vdo_force',
                }),
              register: 'vdo_volume',
            }),
            task<FilesystemResult>({
              name: 'Filesystem on the VDO volume (refuses an existing one unless data_force_mkfs)',
              when: (h) => makesDataLayers(h),
              action: (h) =>
                filesystem({
                  device: volume(h),
                  fstype: h.vars.data_fstype,
                  options: h.vars.data_fstype === 'xfs' ? ['-K'] : [],
                  force: h.vars.data_force_mkfs,
                  forceVariable: 'data_force_mkfs',
                }),
              register: 'vdo_mkfs',
            }),
            task({
              name: 'Give the new filesystem to the vProtect user',
              when: (h) => makesDataLayers(h) && !!h.registered('vdo_mkfs')?.changed,
              action: (h) => shell({ cmd: ownFreshFilesystem(volume(h), h.vars.data_mount, h.vars.data_owner) }),
            }),
            task({
              name: 'Copy the VDO configuration to the peer',
              when: (h) => manager(h) && !isPreferred(h),
              action: (h) => copyFromHost({ from: preferredNode(h), src: '/etc/vdoconf.yml' }),
            }),
            task({
              name: 'Leave VDO start-up to the cluster',
              when: (h) => manager(h),
              action: () => service({ name: 'vdo', enabled: false }),
            }),
          ],
        }),
      ],
    }),
  ],
});
