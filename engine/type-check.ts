// A type error must stop a playbook before it touches a host, but running the TypeScript checker on
// every start costs seconds (bench/RESULTS.md, (d)). So ts-node only transpiles (SWC, tsconfig.json)
// and the engine checks the playbook's program itself, once per change of its sources, as Deno does:
// a clean check leaves a stamp listing every project file the program read with its hash (type-only
// imports included, which never reach require.cache); a later start rehashes those files and skips the
// checker when none changed. node_modules is covered by the lockfile's hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TypeCheckPlaybook } from './type-check-result';

export type { TypeCheckResult } from './type-check-result';

interface Stamp {
  /** Path relative to the project root -> sha256 of its content (the lockfile pins TypeScript itself). */
  readonly files: Readonly<Record<string, string>>;
}

/** Where the stamps live, under the project root (removing it makes the next start check again). */
export const STAMP_DIR = path.join('node_modules', '.cache', 'vpha-type-check');

const hashOf = (file: string): string | undefined => {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // a file the program read is gone: the stamp is stale
  }
};

/** The directory holding the tsconfig.json that governs `entry`. */
export function projectRootOf(entry: string): string {
  for (let dir = path.dirname(path.resolve(entry)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'tsconfig.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no tsconfig.json above ${entry}`);
  }
}

function stampPath(root: string, entry: string): string {
  const key = createHash('sha256').update(path.relative(root, path.resolve(entry))).digest('hex').slice(0, 16);
  return path.join(root, STAMP_DIR, `${key}.json`);
}

function readStamp(file: string): Stamp | undefined {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stamp>;
    return s.files && typeof s.files === 'object' ? (s as Stamp) : undefined;
  } catch {
    return undefined;
  }
}

const isFresh = (root: string, stamp: Stamp): boolean =>
  Object.keys(stamp.files).length > 0 && Object.entries(stamp.files).every(([rel, hash]) => hashOf(path.join(root, rel)) === hash);

/** Type-check the program rooted at `entry` (a playbook file) unless its sources are unchanged since the last clean check. */
export const typeCheckPlaybook: TypeCheckPlaybook = (entry, opts = {}) => {
  const root = projectRootOf(entry);
  const stampFile = stampPath(root, entry);
  const stamp = readStamp(stampFile);
  if (stamp && isFresh(root, stamp)) return { ok: true, cached: true };

  const ts = require('typescript') as typeof import('typescript'); // only when a check must run: ~0.3 s to load
  const configFile = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configFile);
  // Incremental: after an edit only the changed files and their dependents are checked again (~1.6 s
  // instead of ~2.6 s for site.ts here); the build info sits beside the stamp.
  const options = { ...parsed.options, noEmit: true, incremental: true, tsBuildInfoFile: stampFile.replace(/\.json$/, '.tsbuildinfo') };
  const builder = ts.createIncrementalProgram({ rootNames: [path.resolve(entry)], options, host: ts.createIncrementalCompilerHost(options) });
  const diagnostics = [
    ...(config.error ? [config.error] : []),
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSemanticDiagnostics(),
  ];
  const program = builder.getProgram();
  ensureDir(path.dirname(stampFile));
  builder.emit(); // with noEmit: writes the build info only
  if (diagnostics.length > 0) {
    const host: import('typescript').FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    };
    const report = opts.color ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
    return { ok: false, report: report.trimEnd() };
  }

  const read = program
    .getSourceFiles()
    .map((f) => path.resolve(f.fileName))
    .filter((f) => !f.split(path.sep).includes('node_modules') && f.startsWith(root + path.sep));
  const files: Record<string, string> = {};
  for (const f of [...read, configFile, path.join(root, 'package-lock.json')]) {
    const h = hashOf(f);
    if (h) files[path.relative(root, f)] = h;
  }
  writeStampAtomically(stampFile, { files });
  return { ok: true, cached: false };
};

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // read-only checkout: the build info and the stamp are skipped
  }
}

function writeStampAtomically(file: string, stamp: Stamp): void {
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(stamp));
    renameSync(tmp, file); // concurrent runs may race: whichever rename lands, the stamp is whole
  } catch {
    // A read-only checkout still runs; it only checks again next time.
  }
}
