// Two scripted RHEL hosts with a backing disk each, for running the drbd and vdo roles through the engine on
// FakeConnections. Each host keeps the state the real tools would (packages, DRBD metadata, resource up,
// role, disk states, a StandAlone connection with its kernel log and data generations, filesystems, VDO volume,
// LVM, the vdo unit) and answers with outputs recorded from the real tools (spec/fixtures/drbd,
// spec/fixtures/storage; see their READMEs). A command no rule knows gets exit 127, so every command a role
// issues is one this model expects. A host may start as the how-to leaves it when DRBD was built by hand.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'shell-quote';
import type { Vars } from '../../engine/dsl';
import type { ExecResult } from '../../engine/types';
import type { FakeConnection } from './fake-connection';
import { FACTS_SCRIPT } from '../../engine/facts';
import { KERNEL_LOG_READ } from '../../modules/drbd/kernel-log';
import { splitSectionsScript } from '../../engine/connection/framing';
import { fakeFacts } from './fake-connection';
import { fakeCluster, type FakeCluster } from './fake-run';
import { fakeFs, isFileState, type FakeFs } from './fake-files';
import { isConfigScan, serveConfigScan } from './drbd-config-fake';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../fixtures', name), 'utf8');

export const BLKID = {
  ext4: fixture('storage/blkid-ext4.txt'),
  xfs: fixture('storage/blkid-xfs.txt'),
  drbd: fixture('storage/blkid-drbd.txt'),
  /** `blkid -p -o export` of an LVM physical volume (written from blkid's lvm2 prober: TYPE and USAGE). */
  lvm: 'DEVNAME=/dev/drbd0\nUUID=Yd0o1V-Cc9A-3hQk-2Q0V-hW3x-9Gf0-k1L2aB\nVERSION=LVM2 001\nTYPE=LVM2_member\nUSAGE=raid\n',
} as const;

const VDOCONF = fixture('storage/vdoconf-rhel8.yml');
/** The recorded vdo status layout, for a volume created as the role asks (compression and deduplication on). */
const VDO_STATUS = fixture('storage/vdo-status-rhel8.txt').replace(/^ {4}Compression: disabled$/m, '    Compression: enabled');
const STATUS_JSON = fixture('drbd/status-9-established.json');
/** The how-to's /etc/drbd.d/vprotect.res, as its text has it (no closing brace). */
export const HOWTO_RESOURCE_FILE = fixture('drbd/howto-vprotect.res');
const NO_RESOURCE = { code: 10, stderr: 'replicate: No such resource\n' };

export interface StorageHostSpec {
  readonly rhel: 8 | 9;
  /** What `uname -n` says (facts); the inventory name by default. */
  readonly uname?: string;
  /** `blkid -p -o export` of the backing disk /dev/sdb before the run; blank when absent. */
  readonly diskSignature?: string;
  /**
   * DRBD as the how-to's "Setting up DRBD" leaves it, built by hand: its packages, /etc/drbd.d/vprotect.res,
   * metadata, the resource up and in sync (Primary here when 'Primary'), XFS on /dev/drbd0, /vprotect_data.
   */
  readonly handBuilt?: 'Primary' | 'Secondary';
  /** The kernel module is DRBD 8.4 (the how-to's kmod-drbd84 with drbdadm 9), not 9. */
  readonly drbd84?: boolean;
}

type DiskState = 'Inconsistent' | 'UpToDate';

/** One host's storage as the tools would report it. */
export class StorageHost {
  readonly packages = new Set<string>();
  /** Block devices that exist -> their blkid output ('' for blank). */
  readonly devices = new Map<string, string>();
  md = false;
  up = false;
  role: 'Primary' | 'Secondary' = 'Secondary';
  disk: DiskState = 'Inconsistent';
  vdoVolume = false;
  vdoUnit: 'enabled' | 'disabled' | undefined;
  volumeGroup = false;
  vdoLv = false;
  /** The connection to the peer dropped and DRBD will not reconnect by itself (after a split brain). */
  standAlone = false;
  /** What the kernel log read (modules/drbd/kernel-log.ts) answers. */
  kernelLog = '';
  /** `drbdadm get-gi replicate` (blank: it fails, as on a resource without metadata). */
  generations = '';
  /** The module speaks DRBD 8.4 (StorageHostSpec.drbd84). */
  drbd84 = false;
  /**
   * The resource file's text the kernel's settings came from (set by up and adjust); undefined: the kernel
   * matches whatever file the host has (a pair the role brought up before).
   */
  liveFrom: string | undefined;

  constructor(
    readonly name: string,
    readonly uname: string,
    readonly conn: FakeConnection,
    readonly peer: () => StorageHost,
    /** The host's directories and links (its files are conn.files). */
    readonly fs: FakeFs,
  ) {}
}

export interface StoragePair extends FakeCluster {
  readonly state: ReadonlyMap<string, StorageHost>;
}

/** The inventory: group `cluster` of vprotect1 and vprotect2, with the given group variables. */
export function storagePair(specs: Readonly<Record<'vprotect1' | 'vprotect2', StorageHostSpec>>, vars: Vars): StoragePair {
  const cluster = fakeCluster(
    { cluster: ['vprotect1', 'vprotect2'] },
    { cluster: vars, vprotect1: { ansible_host: '10.40.1.50' }, vprotect2: { ansible_host: '10.40.1.52' } },
  );
  const state = new Map<string, StorageHost>();
  for (const [name, spec] of Object.entries(specs)) {
    const conn = cluster.hosts.get(name)!;
    const other = name === 'vprotect1' ? 'vprotect2' : 'vprotect1';
    const host = new StorageHost(name, spec.uname ?? name, conn, () => state.get(other)!, fakeFs(conn));
    conn.facts = fakeFacts(host.uname, {
      os: { id: 'rhel', versionId: spec.rhel === 8 ? '8.9' : '9.3', major: spec.rhel, family: 'RedHat' },
      pkgMgr: 'dnf',
      ipv4: [name === 'vprotect1' ? '10.40.1.50' : '10.40.1.52'],
    });
    host.devices.set('/dev/sdb', spec.diskSignature ?? '');
    // RHEL 9 minimal installs carry LVM (its root is on it); VDO and DRBD come from packages.
    if (spec.rhel === 9) host.packages.add('lvm2');
    host.drbd84 = spec.drbd84 ?? false;
    script(host);
    if (spec.handBuilt) handBuilt(host, spec.handBuilt);
    state.set(name, host);
  }
  return { ...cluster, state };
}

const words = (cmd: string): string[] => parse(cmd).filter((w): w is string => typeof w === 'string');
/** Matches a command by its words, whatever quoting `sh` chose for them. */
const is = (expected: string) => (cmd: string): boolean => words(cmd).join(' ') === expected;

/** Every rule of one host. Later rules win, so the catch-alls come first. */
function script(h: StorageHost): void {
  const c = h.conn;
  serveConfigScan(c);
  const missing = (tool: string): Partial<ExecResult> => ({ code: 127, stderr: `sh: 1: ${tool}: not found\n` });
  /** The answer of a tool from a package: computed (and state changed) only when the package is installed. */
  const needs = (pkg: string, tool: string, answer: () => Partial<ExecResult>): Partial<ExecResult> => (h.packages.has(pkg) ? answer() : missing(tool));
  const drbdUtils = (): boolean => [...h.packages].some((p) => /^drbd.*-utils$/.test(p));
  const drbd = (answer: () => Partial<ExecResult>): Partial<ExecResult> => (drbdUtils() ? answer() : missing('drbdadm'));

  // Packages (the package module's rpm query loop, then dnf install).
  c.on(/^for p in .*rpm -q --whatprovides/, (cmd) => {
    const names = words(cmd.slice(0, cmd.indexOf(';'))).slice(3);
    return { stdout: names.map((n) => `pkg=${n}\n${h.packages.has(n) ? `have=${n} 1.0-1.el8.x86_64` : `no package provides ${n}`}\n`).join('') };
  });
  c.on(/^dnf -y install -- /, (cmd) => {
    for (const n of words(cmd).slice(4)) h.packages.add(n);
    if (h.packages.has('vdo')) h.vdoUnit ??= 'enabled'; // enabled by its preset, as installed on RHEL 8
    return {};
  });

  // DRBD: version probe, resource file check, metadata, up, primary, status.
  c.on((cmd) => cmd.includes('drbdadm --version'), () => ({
    stdout: drbdUtils() ? fixture(h.drbd84 ? 'drbd/version-probe-84.txt' : 'drbd/version-probe-9.txt') : 'MODINFO_VERSION=\n',
  }));
  c.on(/^drbdadm -c \/tmp\/\.drbd-check-[0-9a-f]+\.conf dump replicate$/, () => drbd(() => ({})));
  c.on('drbdadm sh-ll-dev replicate', () =>
    drbd(() => (definesReplicate(c) ? { stdout: '/dev/sdb\n' } : { code: 1, stderr: "'replicate' not defined in your config (for this host).\n" })),
  );
  c.on('drbdadm dump-md replicate', () =>
    drbd(() => {
      // drbdmeta refuses while the kernel holds the device (drbd-utils' drbdmeta.c message and exit code).
      if (h.up) return { code: 20, stderr: "Device '0' is configured!\nCommand 'drbdmeta 0 v09 /dev/sdb internal dump-md' terminated with exit code 20\n" };
      return h.md ? { stdout: fixture('drbd/dump-md-v09.txt') } : { code: 1, stderr: fixture('drbd/dump-md-no-metadata.stderr') };
    }),
  );
  c.on(/^drbdadm create-md (--force )?replicate$/, () =>
    drbd(() => {
      h.md = true;
      h.devices.set('/dev/sdb', BLKID.drbd);
      return { stdout: fixture('drbd/create-md.stdout') };
    }),
  );
  c.on('drbdadm up replicate', () =>
    drbd(() => {
      h.up = true;
      h.liveFrom = resourceFileText(c);
      // The DRBD device shows what the replicated data holds (the same on both nodes).
      h.devices.set('/dev/drbd0', h.peer().devices.get('/dev/drbd0') ?? '');
      return {};
    }),
  );
  // adjust's dry run lists what differs between the kernel and the file (recorded on the lab: the how-to's file
  // live, the role's written); adjust applies it.
  c.on('drbdadm -d adjust replicate', () => drbd(() => (h.liveFrom === undefined || h.liveFrom === resourceFileText(c) ? {} : { stdout: fixture('drbd/adjust-dry-run-84.txt') })));
  c.on('drbdadm adjust replicate', () =>
    drbd(() => {
      h.liveFrom = resourceFileText(c);
      return {};
    }),
  );
  c.on(/^drbdadm primary (--force )?replicate$/, (cmd) =>
    drbd(() => {
      h.role = 'Primary';
      if (cmd.includes('--force')) h.disk = 'UpToDate';
      return {};
    }),
  );
  c.on('drbdsetup status replicate --json', () => drbd(() => (h.up ? { stdout: statusJson(h) } : NO_RESOURCE)));
  c.on((cmd) => cmd === KERNEL_LOG_READ, () => ({ stdout: `${h.kernelLog}\n` }));
  c.on('drbdadm get-gi replicate', () =>
    drbd(() => (h.generations ? { stdout: h.generations } : { code: 10, stderr: "Device has no disk\nCommand 'drbdsetup get-gi replicate 1 0' terminated with exit code 10\n" })),
  );
  c.on((cmd) => cmd === 'drbdsetup status replicate', () => drbd(() => NO_RESOURCE));

  // Block devices: existence, signatures, mkfs.
  c.on(/^test -e \S+$/, (cmd) => ({ code: h.devices.has(words(cmd)[2]!) ? 0 : 1 }));
  c.on(/^blkid -p -o export \S+$/, (cmd) => {
    const sig = h.devices.get(words(cmd)[4]!);
    if (sig === undefined) return { code: 2 };
    return sig ? { stdout: sig } : { code: 2 };
  });
  // A blank device reads as zeros; one with a signature does not.
  c.on(/^cmp -s -n \d+ -- \S+ \/dev\/zero$/, (cmd) => ({ code: h.devices.get(words(cmd)[5]!) ? 1 : 0 }));
  c.on(/^mkfs\.xfs (-f )?-K \S+$/, (cmd) => {
    const dev = words(cmd).pop()!;
    setData(h, dev, BLKID.xfs);
    return {};
  });
  // The roles' "give the fresh filesystem to the vProtect user" (mount, chown, umount in one shell line).
  // The vProtect user exists on these hosts (vProtect installed it).
  c.on((cmd) => cmd.startsWith('id -u -- vprotect '), { stdout: '998\n' });
  c.on((cmd) => cmd.startsWith('mount ') && cmd.includes(' /vprotect_data && { chown vprotect\\:vprotect /vprotect_data;'), {});

  // VDO manager (RHEL 7/8).
  c.on('vdo list --all', () => needs('vdo', 'vdo', () => ({ stdout: h.vdoVolume ? 'vdo_data\n' : '' })));
  c.on(/^vdo create /, () =>
    needs('vdo', 'vdo', () => {
      h.vdoVolume = true;
      h.devices.set('/dev/mapper/vdo_data', '');
      c.file('/etc/vdoconf.yml', VDOCONF, { mode: 0o644 });
      // The how-to's own output of this command.
      return { stdout: 'Creating VDO vdo_data\nStarting VDO vdo_data\nStarting compression on VDO vdo_data\nVDO instance 0 volume is ready at /dev/mapper/vdo_data\n' };
    }),
  );
  c.on('vdo status --name=vdo_data', () => needs('vdo', 'vdo', () => ({ stdout: VDO_STATUS })));
  c.on('systemctl show -p LoadState,ActiveState,UnitFileState -- vdo', () =>
    h.vdoUnit ? { stdout: `LoadState=loaded\nActiveState=inactive\nUnitFileState=${h.vdoUnit}\n` } : { stdout: 'LoadState=not-found\nActiveState=inactive\nUnitFileState=\n' },
  );
  c.on('systemctl disable -- vdo', () => ((h.vdoUnit = 'disabled'), {}));

  // LVM-VDO (RHEL 9).
  c.on(is('lvs --noheadings --separator | -o lv_name,segtype,vdo_compression,vdo_deduplication vg_vdo_data'), () =>
    needs('lvm2', 'lvs', () =>
      h.volumeGroup
        ? { stdout: h.vdoLv ? '  vdo_data|vdo||\n  vdo_data_pool|vdo-pool|enabled|enabled\n' : '' }
        : { code: 5, stderr: '  Volume group "vg_vdo_data" not found\n  Cannot process volume group vg_vdo_data\n' },
    ),
  );
  c.on('pvs --noheadings -o vg_name /dev/drbd0', { stdout: '  vg_vdo_data\n' });
  c.on('pvcreate /dev/drbd0', () => (setData(h, '/dev/drbd0', BLKID.lvm), { stdout: '  Physical volume "/dev/drbd0" successfully created.\n' }));
  c.on('vgcreate vg_vdo_data /dev/drbd0', () => ((h.volumeGroup = true), { stdout: '  Volume group "vg_vdo_data" successfully created\n' }));
  c.on(/^lvcreate --type vdo --name vdo_data /, () => {
    h.vdoLv = true;
    h.devices.set('/dev/vg_vdo_data/vdo_data', '');
    return { stdout: '  Logical volume "vdo_data" created.\n' };
  });
}

/** Whether a file drbdadm reads defines resource replicate (what the drbd_resource module's scan finds). */
function definesReplicate(c: FakeConnection): boolean {
  return resourceFileText(c) !== undefined;
}

/** The text of the .res file that defines replicate. */
function resourceFileText(c: FakeConnection): string | undefined {
  for (const [p, f] of c.files) {
    const text = f.content.toString('utf8');
    if (/^\/etc\/drbd\.d\/[^/.][^/]*\.res$/.test(p) && /^\s*resource\s+replicate\s*\{/m.test(text)) return text;
  }
  return undefined;
}

/** The state the how-to's DRBD steps leave (see StorageHostSpec.handBuilt). */
function handBuilt(h: StorageHost, role: 'Primary' | 'Secondary'): void {
  for (const p of ['kmod-drbd9x', 'drbd9x-utils']) h.packages.add(p);
  h.conn.file('/etc/drbd.conf', 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n', { mode: 0o644 });
  h.conn.file('/etc/drbd.d/global_common.conf', 'global {\n usage-count yes;\n}\ncommon {\n}\n', { mode: 0o644 });
  h.conn.file('/etc/drbd.d/vprotect.res', HOWTO_RESOURCE_FILE, { mode: 0o644 });
  h.md = true;
  h.up = true;
  h.liveFrom = HOWTO_RESOURCE_FILE;
  h.role = role;
  h.disk = 'UpToDate';
  h.devices.set('/dev/sdb', BLKID.drbd);
  h.devices.set('/dev/drbd0', BLKID.xfs);
  h.fs.dirs.set('/vprotect_data', { mode: 0o755, owner: 'vprotect', group: 'vprotect' });
}

/** What is written on a device of the replicated data lands on both nodes' view of it. */
function setData(h: StorageHost, dev: string, sig: string): void {
  h.devices.set(dev, sig);
  const peer = h.peer();
  if (dev === '/dev/drbd0' && peer.up) peer.devices.set(dev, sig);
}

function replication(self: StorageHost, peer: StorageHost): string {
  if (self.disk === peer.disk) return 'Established';
  return self.disk === 'UpToDate' ? 'SyncSource' : 'SyncTarget';
}

/** `drbdsetup status replicate --json` as DRBD 9 prints it (the recorded structure), from this pair's state. */
function statusJson(h: StorageHost): string {
  const peer = h.peer();
  const [res] = JSON.parse(STATUS_JSON) as [
    {
      role: string;
      devices: { 'disk-state': string }[];
      connections: {
        name: string;
        'connection-state': string;
        'peer-role': string;
        peer_devices: { 'replication-state': string; 'peer-disk-state': string; 'percent-in-sync': number }[];
      }[];
    },
  ];
  res.role = h.role;
  res.devices[0]!['disk-state'] = h.disk;
  const conn = res.connections[0]!;
  // A node sees its peer only while both are up and neither has dropped the connection.
  const sees = peer.up && !h.standAlone && !peer.standAlone;
  conn.name = peer.uname;
  conn['connection-state'] = h.standAlone ? 'StandAlone' : sees ? 'Connected' : 'Connecting';
  conn['peer-role'] = sees ? peer.role : 'Unknown';
  const pd = conn.peer_devices[0]!;
  pd['peer-disk-state'] = sees ? peer.disk : 'DUnknown';
  pd['replication-state'] = sees ? replication(h, peer) : 'Off';
  pd['percent-in-sync'] = pd['replication-state'].startsWith('Sync') ? 0.22 : 100;
  return JSON.stringify([res], null, 2);
}

/** Read-only commands: probes of state. Anything else a role runs counts as a change. */
const READ_ONLY: ReadonlyArray<RegExp | ((cmd: string) => boolean)> = [
  /^for p in .*rpm -q --whatprovides/,
  /drbdadm --version/,
  isConfigScan,
  /^drbdadm -c \/tmp\/\.drbd-check-[0-9a-f]+\.conf dump replicate$/,
  /^rm -f -- \/tmp\/\.drbd-check-[0-9a-f]+\.res \/tmp\/\.drbd-check-[0-9a-f]+\.conf$/,
  /^drbdadm (sh-ll-dev|dump-md) replicate$/,
  /^drbdsetup status replicate( --json)?$/,
  /^log=\$\(journalctl -k /,
  /^drbdadm get-gi replicate$/,
  /^drbdadm -d adjust replicate$/,
  /^test -e /,
  /^id -u -- /,
  /^blkid -p -o export /,
  /^cmp -s -n /,
  /^vdo (list --all|status --name=)/,
  /^lvs /,
  /^pvs /,
  /^systemctl show /,
];

/**
 * What a run changed on a host, in order: changing commands, and files written (the drbd_resource module's
 * scratch copy in /tmp, checked with drbdadm and removed at once, is a check, not a change). `sinceOp`: skip
 * the operations of earlier runs.
 */
export function changes(h: FakeConnection, sinceOp = 0): string[] {
  return h.ops.slice(sinceOp).flatMap((o) => {
    if (o.kind === 'put') return /^\/tmp\/\.drbd-check-/.test(o.path) ? [] : [`put ${o.path}`];
    if (o.kind !== 'exec' || o.cmd === FACTS_SCRIPT || isFileState(o.cmd) || splitSectionsScript(o.cmd)) return [];
    if (READ_ONLY.some((r) => (typeof r === 'function' ? r(o.cmd) : r.test(o.cmd)))) return [];
    return [o.cmd];
  });
}
