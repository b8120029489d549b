// The hosts' shared root filesystem: built once with debootstrap + lab/image/setup.sh, cached as
// CACHE_DIR/rootfs-<hash>.tar.zst (hash of the recipe files) and extracted to STATE_DIR/rootfs-<hash>,
// which every host overlays read-only. The stand-in apt repository is cached beside it, so the
// package lists baked into the image always match the repository the hosts see.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildAptRepo, STANDINS_DIR } from './apt-repo';
import { controllerSources, debianCodename, fetchSettings, pickMirror } from './apt-sources';
import { CACHE_DIR, REPO_ROOT, STANDIN_VERSIONS, STATE_DIR } from './config';
import { mounts, removeTree, unmountUnder } from './mounts';
import { must, say } from './proc';

const IMAGE_DIR = path.join(REPO_ROOT, 'lab', 'image');
const DEBOOTSTRAP_INCLUDE = 'systemd,systemd-sysv,dbus,libpam-systemd,iproute2,ca-certificates,netbase';
const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Bump when build() changes what lands in the image (lab/image/ and the stand-ins are hashed anyway). */
const RECIPE_VERSION = 1;
const TAR_XATTRS = ['--numeric-owner', '--xattrs', '--xattrs-include=*'];

export interface Image {
  readonly hash: string;
  /** Extracted rootfs: the overlays' lowerdir. */
  readonly rootfs: string;
  /** The stand-in apt repository, bound read-only at /srv/lab-apt in every host. */
  readonly aptRepo: string;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out.sort();
}

/** Hash of everything that decides the image's contents. */
export async function recipeHash(codename: string): Promise<string> {
  const h = createHash('sha256');
  h.update(`recipe=${RECIPE_VERSION}\ncodename=${codename}\ninclude=${DEBOOTSTRAP_INCLUDE}\nversions=${STANDIN_VERSIONS.join(',')}\n`);
  const recipe = [
    ...(await filesUnder(IMAGE_DIR)),
    ...(await filesUnder(STANDINS_DIR)),
    path.join(REPO_ROOT, 'lab', 'apt-repo.ts'),
  ];
  for (const file of recipe) {
    const st = await fs.stat(file);
    h.update(`${path.relative(REPO_ROOT, file)} ${st.mode & 0o111 ? 'x' : '-'}\n`);
    h.update(await fs.readFile(file));
  }
  return h.digest('hex').slice(0, 16);
}

export function imagePaths(hash: string): Image & { readonly tarball: string } {
  return {
    hash,
    rootfs: path.join(STATE_DIR, `rootfs-${hash}`),
    aptRepo: path.join(CACHE_DIR, `apt-${hash}`),
    tarball: path.join(CACHE_DIR, `rootfs-${hash}.tar.zst`),
  };
}

/** The current image, built or extracted when needed. Call under the lab lock. */
export async function ensureImage(): Promise<Image> {
  const codename = await debianCodename();
  const img = imagePaths(await recipeHash(codename));
  await fs.mkdir(CACHE_DIR, { recursive: true });
  await fs.mkdir(STATE_DIR, { recursive: true });
  if (!existsSync(path.join(img.aptRepo, 'Packages'))) {
    await removeTree(`${img.aptRepo}.tmp`);
    await buildAptRepo(`${img.aptRepo}.tmp`);
    await fs.rename(`${img.aptRepo}.tmp`, img.aptRepo);
  }
  if (existsSync(img.rootfs)) return img;
  if (existsSync(img.tarball)) {
    const t0 = Date.now();
    const tmp = `${img.rootfs}.extract`;
    await removeTree(tmp);
    await fs.mkdir(tmp);
    await must(['tar', ...TAR_XATTRS, '-I', 'zstd', '-xpf', img.tarball, '-C', tmp]);
    await fs.rename(tmp, img.rootfs);
    say(`rootfs ${img.hash} extracted from cache in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    await build(img, codename);
  }
  await removeStale(img.hash);
  return img;
}

async function build(img: Image & { readonly tarball: string }, codename: string): Promise<void> {
  const t0 = Date.now();
  const dir = `${img.rootfs}.build`;
  const log = path.join(CACHE_DIR, `build-${img.hash}.log`);
  await removeTree(dir);
  await fs.writeFile(log, '');
  const mirror = pickMirror(await controllerSources(), codename);
  say(`building rootfs ${img.hash} from ${mirror.uri} (${codename}); log: ${log}`);
  await must(['debootstrap', '--variant=minbase', `--include=${DEBOOTSTRAP_INCLUDE}`, codename, dir, mirror.uri], {
    logFile: log,
  });
  say(`debootstrap done in ${((Date.now() - t0) / 1000).toFixed(0)} s; installing packages`);
  await fs.writeFile(path.join(dir, 'etc/apt/sources.list'), `${mirror.lines.join('\n')}\n`);
  await fs.writeFile(path.join(dir, 'etc/apt/apt.conf.d/00lab-build'), `${await fetchSettings()}\n`);
  await fs.copyFile('/etc/resolv.conf', path.join(dir, 'etc/resolv.conf')).catch(() => undefined);
  await fs.copyFile(path.join(IMAGE_DIR, 'setup.sh'), path.join(dir, 'root/lab-setup.sh'));
  const aptMount = path.join(dir, 'srv/lab-apt');
  await fs.mkdir(aptMount, { recursive: true });
  try {
    await must(['mount', '-t', 'proc', 'proc', path.join(dir, 'proc')]);
    await must(['mount', '--bind', img.aptRepo, aptMount]);
    await must(['mount', '-o', 'remount,bind,ro', aptMount]);
    await must(['chroot', dir, '/bin/sh', '/root/lab-setup.sh'], { logFile: log, env: { PATH: CHROOT_PATH } });
  } finally {
    await unmountUnder(path.join(dir, 'proc'));
    await unmountUnder(aptMount);
  }
  await fs.rm(path.join(dir, 'root/lab-setup.sh'));
  say(`packages installed at ${((Date.now() - t0) / 1000).toFixed(0)} s; compressing`);
  await must(['tar', ...TAR_XATTRS, '--one-file-system', '-I', 'zstd -T0 -3', '-cf', `${img.tarball}.tmp`, '-C', dir, '.']);
  await fs.rename(`${img.tarball}.tmp`, img.tarball);
  await fs.rename(dir, img.rootfs);
  say(`rootfs ${img.hash} built and cached in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Older images nobody overlays any more (a recipe change leaves them behind). */
async function removeStale(current: string): Promise<void> {
  const inUse = (await mounts()).filter((m) => m.fstype === 'overlay').map((m) => m.options).join(',');
  for (const [dir, re] of [
    [STATE_DIR, /^rootfs-([0-9a-f]{16})(\.build|\.extract)?$/],
    [CACHE_DIR, /^(?:rootfs|apt|build)-([0-9a-f]{16})(\.tar\.zst|\.log|\.tmp)?$/],
  ] as const) {
    for (const name of await fs.readdir(dir)) {
      const m = re.exec(name);
      if (!m || m[1] === current || inUse.includes(`rootfs-${m[1]}`)) continue;
      say(`removing stale ${path.join(dir, name)}`);
      const p = path.join(dir, name);
      if ((await fs.stat(p)).isDirectory()) await removeTree(p);
      else await fs.rm(p, { force: true });
    }
  }
}
