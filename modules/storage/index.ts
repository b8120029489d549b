// Block storage: filesystem (guarded mkfs), mount, vdo (guarded; manager or LVM-VDO by facts).
export { filesystem, type FilesystemParams, type FilesystemResult } from './filesystem';
export { mount, type MountParams, type MountResult } from './mount';
export { vdo, type VdoParams, type VdoResult } from './vdo';
export { deviceSignature, type Signature } from './signature';
