// The pcs module family: cluster auth and setup, properties, defaults, resources, constraints, nodes,
// the quorum device (the arbiter), and CIB-file batching (pcs_cib_file -> pcs_* with cibFile -> pcs_cib_push).
export { pcsAuth, type PcsAuthParams, type PcsAuthResult } from './auth';
export { pcsCluster, type PcsClusterParams, type PcsClusterResult } from './cluster';
export { pcsForeignCluster, type PcsForeignClusterParams } from './foreign-cluster';
export { pcsProperty, type PcsPropertyParams } from './property';
export { pcsResourceDefaults, type PcsResourceDefaultsParams } from './resource-defaults';
export { pcsResource, type PcsResourceParams, type PcsOperation, type PcsCloneSpec } from './resource';
export { pcsConstraint, type PcsConstraintParams, type ConstraintSpec } from './constraint';
export { pcsNode, type PcsNodeParams } from './node';
export { pcsCibFile, type PcsCibFileParams } from './cib-file';
export { pcsCibPush, type PcsCibPushParams } from './cib-push';
export { pcsDialect, dialectFor, type PcsDialect } from './dialect';
export type { PcsResult } from './run';
export { pcsQuorumDevice, type PcsQuorumDeviceParams, type QdeviceHeuristics, type QdeviceAlgorithm } from './quorum-device';
