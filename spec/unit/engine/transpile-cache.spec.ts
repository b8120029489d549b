// ts-node's transpiler (engine/transpile-cache.js): SWC's output kept per source file, used only for the
// very source text, file name and compiler options it was made from.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Transpiler {
  transpile(input: string, options: { fileName: string }): { outputText: string; sourceMapText?: string };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { create } = require('../../../engine/transpile-cache.js') as { create(o: object): Transpiler };

/** What ts-node hands a transpiler factory (TypeScript's numeric enums: target ES2022, module CommonJS; ts-node always asks for source maps). */
const factoryOptions = (cacheDir: string, options: object = { target: 9, module: 1, sourceMap: true }): object => ({
  service: { config: { options } },
  nodeModuleEmitKind: 'nodecjs',
  transpilerConfigLocalResolveHelper: (name: string) => require.resolve(name),
  cacheDir,
});

describe('engine: the transpile cache ts-node uses', () => {
  let dir: string;
  const file = '/project/roles/x.ts';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vpha-transpile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entryPath = (): string => {
    const entries = readdirSync(dir);
    expect(entries, 'one entry per source file').to.have.length(1);
    return path.join(dir, entries[0]!);
  };

  it('transpiles with SWC (types gone, source map kept) and keeps the result', () => {
    const out = create(factoryOptions(dir)).transpile('export const n: number = 1;\n', { fileName: file });
    expect(out.outputText).to.match(/exports\.n = 1|const n = 1/);
    expect(out.outputText).not.to.contain(': number');
    expect(JSON.parse(out.sourceMapText!)).to.have.property('mappings');
    expect(JSON.parse(readFileSync(entryPath(), 'utf8')).outputText).to.equal(out.outputText);
  });

  it('answers from the entry while the source is unchanged, in this process and the next', () => {
    create(factoryOptions(dir)).transpile('export const n = 1;\n', { fileName: file });
    const entry = entryPath();
    const kept = JSON.parse(readFileSync(entry, 'utf8')) as { outputText: string };
    writeFileSync(entry, JSON.stringify({ ...kept, outputText: `${kept.outputText}// from the cache\n` }));
    expect(create(factoryOptions(dir)).transpile('export const n = 1;\n', { fileName: file }).outputText).to.contain('// from the cache');
  });

  it('transpiles again when the source, the file name or the compiler options differ, and replaces the entry', () => {
    const t = create(factoryOptions(dir));
    t.transpile('export const n = 1;\n', { fileName: file });
    const entry = entryPath();
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('exports', 'stale'));
    expect(t.transpile('export const n = 2;\n', { fileName: file }).outputText).to.contain('2').and.not.contain('stale');
    expect(entryPath()).to.equal(entry);
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('exports', 'stale'));
    const other = create(factoryOptions(dir, { target: 9, module: 1, sourceMap: true, esModuleInterop: true }));
    expect(other.transpile('export const n = 2;\n', { fileName: file }).outputText).not.to.contain('stale');
  });

  it('runs uncached where the cache cannot be written', () => {
    const blocked = path.join(dir, 'file-not-dir');
    writeFileSync(blocked, '');
    const out = create(factoryOptions(path.join(blocked, 'cache'))).transpile('export const n: number = 3;\n', { fileName: file });
    expect(out.outputText).to.contain('3');
  });
});
