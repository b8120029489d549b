// drbd_status: the resource's role, disk, peers and replication as typed facts (never a change).
import type { ModuleResult } from '../../engine/types';
import { defineModule } from '../lib/define';
import { checkResourceName } from './resource-name';
import { readDrbdStatus, type DrbdStatus } from './status';

export interface DrbdStatusParams {
  readonly resource: string;
}

export interface DrbdStatusResult extends ModuleResult {
  readonly up: boolean;
  readonly status?: DrbdStatus;
}

export const drbdStatus = defineModule<DrbdStatusParams, DrbdStatusResult>({
  name: 'drbd_status',
  checkMode: true,
  describe: (p) => `drbd status ${p.resource}`,
  preflight: (p) => checkResourceName(p.resource, 'drbd_status'),
  async run(p, ctx) {
    const status = await readDrbdStatus(ctx, p.resource);
    const msg = status
      ? `${status.role}/${status.diskState}; ${status.peers.map((x) => `${x.name} ${x.role}/${x.diskState} ${x.replication}${x.done !== undefined ? ` ${x.done}%` : ''}`).join(', ') || 'no peers'}`
      : `${p.resource} is down`;
    return { changed: false, msg, up: status !== undefined, status };
  },
});
