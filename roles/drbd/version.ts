// Which DRBD configuration dialect a host speaks: the kernel module's major version decides (RHEL 7's
// drbd84-utils ship drbdadm 9 yet drive an 8.4 module), the utilities' version only when no module is known.

/** Shell probe: drbdadm's version variables, then the module's version when it is not loaded. */
export const DRBD_VERSION_PROBE = 'drbdadm --version 2>/dev/null; echo "MODINFO_VERSION=$(modinfo -F version drbd 2>/dev/null)"';

export function drbdMajor(probeOutput: string): 8 | 9 {
  const kv = new Map(
    probeOutput
      .split('\n')
      .map((l) => l.split('='))
      .filter((p) => p.length === 2)
      .map(([k, v]) => [k!.trim(), v!.trim()] as const),
  );
  // drbdadm prints code 0x000000 when it finds no module at all: that says nothing about the dialect.
  const kernelCode = kv.get('DRBD_KERNEL_VERSION_CODE');
  if (kernelCode && Number.parseInt(kernelCode, 16) > 0) return Number.parseInt(kernelCode, 16) >> 16 >= 9 ? 9 : 8;
  const modinfo = kv.get('MODINFO_VERSION');
  if (modinfo) return Number.parseInt(modinfo, 10) >= 9 ? 9 : 8;
  const utils = kv.get('DRBDADM_VERSION');
  return utils && Number.parseInt(utils, 10) < 9 ? 8 : 9;
}
