// A type error must stop a playbook before it touches a host, but running the TypeScript checker on
// every start costs seconds (bench/RESULTS.md, (d)). So ts-node only transpiles (SWC, tsconfig.json)
// and the engine checks the playbook's program itself, once per change of its sources, as Deno does:
// a clean check leaves a stamp listing every project file the program read with its hash (type-only
// imports included, which never reach require.cache); a later start rehashes those files and skips the
// checker when none changed. node_modules is covered by the lockfile's hash. The checker is TypeScript 7's
// native compiler when installed (an optional dependency, same tsconfig.json), else the TypeScript API.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TypeCheckPlaybook } from './type-check-result';

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

/** A finished check: the files the program read, or the compiler's report. */
type Outcome = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly report: string };

/** Type-check the program rooted at `entry` (a playbook file) unless its sources are unchanged since the last clean check. */
export const typeCheckPlaybook: TypeCheckPlaybook = (entry, opts = {}) => {
  const root = projectRootOf(entry);
  const stampFile = stampPath(root, entry);
  const stamp = readStamp(stampFile);
  if (stamp && isFresh(root, stamp)) return { ok: true, cached: true };

  const color = !!opts.color;
  const outcome = (opts.compiler !== 'typescript-api' ? checkNative(root, entry, stampFile, color) : undefined) ?? checkWithApi(root, entry, stampFile, color);
  if (!outcome.ok) return { ok: false, report: outcome.report };

  const read = outcome.files.map((f) => path.resolve(f)).filter((f) => !f.split(path.sep).includes('node_modules') && f.startsWith(root + path.sep));
  const files: Record<string, string> = {};
  for (const f of [...read, path.join(root, 'tsconfig.json'), path.join(root, 'package-lock.json')]) {
    const h = hashOf(f);
    if (h) files[path.relative(root, f)] = h;
  }
  writeStampAtomically(stampFile, { files });
  return { ok: true, cached: false };
};

/** TypeScript 7's compiler for this platform (Go, parallel): an optional dependency, so it may be absent. */
function nativeCompiler(): string | undefined {
  try {
    const pkg = require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
    const exe = path.join(path.dirname(pkg), 'lib', process.platform === 'win32' ? 'tsc.exe' : 'tsc');
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The check by the native compiler: ~0.3 s for site.ts's whole program, where the API takes 1.3 s after an
 * edit and 2.5 s from scratch (bench/RESULTS.md, (d)). undefined when it cannot run here: the API then checks.
 */
function checkNative(root: string, entry: string, stampFile: string, color: boolean): Outcome | undefined {
  const exe = nativeCompiler();
  if (!exe) return undefined;
  // A project file for this entry alone, beside the stamp: inside the project, so type roots
  // (node_modules/@types) resolve from it as they do from tsconfig.json.
  const dir = path.dirname(stampFile);
  const config = stampFile.replace(/\.json$/, '.tsconfig.json');
  ensureDir(dir);
  try {
    const rel = (f: string): string => path.relative(dir, f).split(path.sep).join('/');
    const project = { extends: rel(path.join(root, 'tsconfig.json')), compilerOptions: { noEmit: true }, include: [], files: [rel(path.resolve(entry))] };
    writeFileSync(config, JSON.stringify(project));
  } catch {
    return undefined; // read-only checkout
  }
  const r = spawnSync(exe, ['-p', config, '--listFiles', '--pretty', String(color)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.signal || /^panic:/m.test(r.stderr)) return undefined;
  // --listFiles prints each file of the program as an absolute path; everything else is diagnostics.
  const listed = (line: string): boolean => path.isAbsolute(line) && existsSync(line);
  const lines = r.stdout.split('\n');
  if (r.status === 0) return { ok: true, files: lines.filter(listed) };
  const report = lines.filter((l) => !listed(l)).join('\n').trim();
  return report ? { ok: false, report } : undefined;
}

/** The check through the TypeScript API, incremental: only what an edit affects is checked again. */
function checkWithApi(root: string, entry: string, stampFile: string, color: boolean): Outcome {
  const ts = require('typescript') as typeof import('typescript'); // only when a check must run: ~0.15 s to load
  const configFile = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configFile);
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
  ensureDir(path.dirname(stampFile));
  builder.emit(); // with noEmit: writes the build info only
  if (diagnostics.length > 0) {
    const host: import('typescript').FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    };
    const report = color ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host);
    return { ok: false, report: report.trimEnd() };
  }
  return { ok: true, files: builder.getProgram().getSourceFiles().map((f) => f.fileName) };
}

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
