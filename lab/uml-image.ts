// The storage tier's root disk: the same rootfs the nspawn hosts overlay (lab/rootfs.ts, one recipe),
// plus what a host with its own kernel needs (the UML kernel's modules, an fstab, the boot-time seed
// unit, the stand-in apt repository copied in), written into an ext4 image every UML host opens
// read-only under its own copy-on-write file. Cached as CACHE_DIR/uml-<hash>.ext4 (see ../shared/UML-LAB.md).
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, HOST_APT_DIR, REPO_ROOT, STATE_DIR } from './config';
import { removeTree, unmountUnder } from './mounts';
import { must, run, say } from './proc';
import type { Image } from './rootfs';

const UML_SETUP = path.join(REPO_ROOT, 'lab', 'uml', 'setup.sh');
const UML_MODULES = '/usr/lib/uml/modules';
/** Bump when buildUmlImage() changes what lands in the image (uml-setup.sh is hashed anyway). */
const UML_RECIPE_VERSION = 1;
/** Sparse: only what the rootfs holds (about 1.1 GiB) is written. */
const ROOT_IMAGE_SIZE = '4G';

export interface UmlImage {
  readonly base: string;
  /** The UML kernel release, e.g. 6.1.176 (its modules are in the image). */
  readonly kernel: string;
}

/** The installed UML kernel's release, as it names its module directory. */
export async function umlKernelRelease(): Promise<string> {
  const out = (await must(['linux.uml', '--version'])).stdout.trim();
  if (!/^[0-9][\w.+-]*$/.test(out)) throw new Error(`linux.uml --version printed "${out}", not a kernel release`);
  if (!existsSync(path.join(UML_MODULES, out))) throw new Error(`no modules for the UML kernel ${out} in ${UML_MODULES}`);
  return out;
}

async function umlHash(image: Image, kernel: string): Promise<string> {
  const h = createHash('sha256');
  h.update(`uml=${UML_RECIPE_VERSION}\nimage=${image.hash}\nkernel=${kernel}\n`);
  h.update(await fs.readFile(UML_SETUP));
  return h.digest('hex').slice(0, 16);
}

/** The UML root image for this rootfs, built when missing (about half a minute). Call under the lab lock. */
export async function ensureUmlImage(image: Image): Promise<UmlImage> {
  const kernel = await umlKernelRelease();
  const hash = await umlHash(image, kernel);
  const base = path.join(CACHE_DIR, `uml-${hash}.ext4`);
  if (existsSync(base)) return { base, kernel };
  const t0 = Date.now();
  const upper = path.join(STATE_DIR, `uml-build-${hash}`);
  const merged = path.join(upper, 'merged');
  await removeTree(upper);
  for (const d of ['upper', 'work', 'merged']) await fs.mkdir(path.join(upper, d), { recursive: true });
  try {
    // An overlay over the shared rootfs: the rootfs itself is never written.
    await must(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${image.rootfs},upperdir=${upper}/upper,workdir=${upper}/work`, merged]);
    await fs.mkdir(path.join(merged, 'lib', 'modules'), { recursive: true });
    await must(['cp', '-a', path.join(UML_MODULES, kernel), path.join(merged, 'lib', 'modules', kernel)]);
    await fs.mkdir(path.join(merged, HOST_APT_DIR), { recursive: true });
    await must(['cp', '-a', `${image.aptRepo}/.`, path.join(merged, HOST_APT_DIR)]);
    await must(['sh', UML_SETUP, merged, kernel]);
    await fs.rm(`${base}.tmp`, { force: true });
    await must(['truncate', '-s', ROOT_IMAGE_SIZE, `${base}.tmp`]);
    await must(['mkfs.ext4', '-q', '-L', 'umlroot', '-E', 'nodiscard', '-d', merged, `${base}.tmp`]);
  } finally {
    await unmountUnder(merged);
    await removeTree(upper);
  }
  await fs.rename(`${base}.tmp`, base);
  await removeStaleUmlImages(path.basename(base));
  say(`UML root image ${hash} built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { base, kernel };
}

async function removeStaleUmlImages(current: string): Promise<void> {
  for (const name of await fs.readdir(CACHE_DIR)) {
    if (/^uml-[0-9a-f]{16}\.ext4(\.tmp)?$/.test(name) && name !== current) {
      say(`removing stale ${path.join(CACHE_DIR, name)}`);
      await run(['rm', '-f', path.join(CACHE_DIR, name)]);
    }
  }
}
