// The DRBD module family: resource file, metadata (guarded), up, primary (guarded --force), status facts,
// split-brain facts and the pair's verdict.
export { drbdResource, type DrbdResourceParams, type DrbdResourceResult } from './resource';
export { drbdMd, type DrbdMdParams, type DrbdMdResult } from './md';
export { drbdUp, type DrbdUpParams, type DrbdUpResult } from './up';
export { drbdPrimary, type DrbdPrimaryParams, type DrbdPrimaryResult } from './primary';
export { drbdStatus, type DrbdStatusParams, type DrbdStatusResult } from './status-module';
export { drbdSplitBrain, type DrbdSplitBrainParams, type DrbdSplitBrainResult } from './split-brain';
export type { DrbdStatus, DrbdPeer } from './status';
export { DRBD_RESOURCE_NAME } from './resource-name';
