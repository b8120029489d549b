// Builds the local apt repository of stand-in vProtect packages (lab/standins/*) as real .debs with
// dpkg-deb, in every version of STANDIN_VERSIONS, plus a flat-repo Packages and Release file
// (`deb [trusted=yes] file:/srv/lab-apt ./` inside the hosts). Reproducible: fixed mtimes.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, STANDIN_VERSIONS } from './config';
import { must } from './proc';

export const STANDINS_DIR = path.join(REPO_ROOT, 'lab', 'standins');
export const STANDIN_PACKAGES = ['vprotect-server', 'vprotect-node'] as const;
/** 2024-01-01: every file and archive member gets this mtime, so rebuilds give identical bytes. */
const SOURCE_DATE_EPOCH = 1704067200;

function control(pkg: string, version: string): string {
  const what = pkg === 'vprotect-server' ? 'server, API on port 8080 and the vprotect CLI' : 'node';
  return [
    `Package: ${pkg}`,
    `Version: ${version}`,
    'Architecture: all',
    'Maintainer: vProtect HA lab <lab@localhost>',
    'Depends: python3',
    'Section: admin',
    'Priority: optional',
    `Description: vProtect ${what} (LAB STAND-IN, not the real product)`,
    " Built by the project's lab/ so package installs and upgrades can be tested offline.",
    '',
  ].join('\n');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

/** Copy a package tree, normalising modes (git keeps only the x bit) and mtimes. */
async function stage(pkg: string, version: string, into: string): Promise<void> {
  await fs.cp(path.join(STANDINS_DIR, pkg), into, { recursive: true });
  await fs.writeFile(path.join(into, 'DEBIAN', 'control'), control(pkg, version));
  const versionFile = path.join(into, 'usr', 'lib', 'vprotect', `${pkg}.version`);
  await fs.writeFile(versionFile, `${version}\n`);
  const when = new Date(SOURCE_DATE_EPOCH * 1000);
  for (const p of [into, ...(await walk(into))]) {
    const st = await fs.stat(p);
    await fs.chmod(p, st.isDirectory() || (st.mode & 0o100) !== 0 ? 0o755 : 0o644);
    await fs.utimes(p, when, when);
  }
}

function digest(algo: 'md5' | 'sha256', data: Buffer): string {
  return createHash(algo).update(data).digest('hex');
}

/** Build every stand-in package in every version into `repoDir` (created; must not exist). */
export async function buildAptRepo(repoDir: string): Promise<void> {
  await fs.mkdir(repoDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(path.dirname(repoDir), '.debs-'));
  const stanzas: string[] = [];
  try {
    for (const pkg of STANDIN_PACKAGES) {
      for (const version of STANDIN_VERSIONS) {
        const tree = path.join(work, `${pkg}_${version}`);
        await stage(pkg, version, tree);
        const file = `${pkg}_${version}_all.deb`;
        await must(['dpkg-deb', '--root-owner-group', '-Zgzip', '--build', tree, path.join(repoDir, file)], {
          env: { SOURCE_DATE_EPOCH: String(SOURCE_DATE_EPOCH) },
        });
        const deb = await fs.readFile(path.join(repoDir, file));
        const fields = (await must(['dpkg-deb', '-f', path.join(repoDir, file)])).stdout.trimEnd();
        stanzas.push(
          `${fields}\nFilename: ./${file}\nSize: ${deb.length}\nMD5sum: ${digest('md5', deb)}\nSHA256: ${digest('sha256', deb)}\n`,
        );
      }
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  const packages = Buffer.from(stanzas.join('\n'));
  await fs.writeFile(path.join(repoDir, 'Packages'), packages);
  const release = [
    'Origin: vphalab',
    'Label: vProtect HA lab stand-ins',
    `Date: ${new Date(SOURCE_DATE_EPOCH * 1000).toUTCString()}`,
    'SHA256:',
    ` ${digest('sha256', packages)} ${packages.length} Packages`,
    '',
  ].join('\n');
  await fs.writeFile(path.join(repoDir, 'Release'), release);
}
