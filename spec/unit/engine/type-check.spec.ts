// The playbook type-check (engine/type-check.ts): checked once per change of the sources the program
// reads, type-only imports included; a type error stops `npx ts-node PLAYBOOK` before any host is touched.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../engine/cli';
import { play, playbook, task } from '../../../engine/dsl';
import { typeCheckPlaybook } from '../../../engine/type-check';
import { mark } from '../../support/fake-run';

const REPO = path.resolve(__dirname, '../../..');

/** A project of its own in a temp dir: tsconfig.json, an entry that imports `shape.ts` for its types only. */
function project(shape: string): { dir: string; entry: string; write: (file: string, text: string) => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spec-type-check-'));
  const write = (file: string, text: string): void => writeFileSync(path.join(dir, file), text);
  write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', target: 'ES2022', types: [], rootDir: '.' } }));
  write('shape.ts', shape);
  write('entry.ts', "import type { Shape } from './shape';\nexport const s: Shape = { port: 3306 };\n");
  return { dir, entry: path.join(dir, 'entry.ts'), write };
}

describe('type-check of a playbook', function () {
  this.timeout(60_000);
  const made: string[] = [];
  after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const compilers = [
    { name: "TypeScript 7's native compiler", compiler: 'auto', cacheFiles: ['.json', '.tsconfig.json'] },
    { name: 'the TypeScript API (incremental)', compiler: 'typescript-api', cacheFiles: ['.json', '.tsbuildinfo'] },
  ] as const;
  for (const c of compilers) {
    it(`${c.name}: checks once, then trusts the stamp until a file the program read changes (a type-only import too)`, () => {
      const p = project('export interface Shape { port: number }\n');
      made.push(p.dir);
      const check = () => typeCheckPlaybook(p.entry, { compiler: c.compiler });
      expect(check()).to.deep.equal({ ok: true, cached: false });
      const cache = readdirSync(path.join(p.dir, 'node_modules/.cache/vpha-type-check'));
      const kinds = cache.map((f) => f.replace(/^[0-9a-f]+/, '')).sort();
      expect(kinds, 'the stamp and what this compiler keeps beside it').to.deep.equal([...c.cacheFiles]);
      expect(check()).to.deep.equal({ ok: true, cached: true });

      p.write('shape.ts', 'export interface Shape { port: string }\n'); // never in require.cache: erased at run time
      const broken = check();
      expect(broken.ok).to.equal(false);
      expect(broken.ok === false ? broken.report : '', 'the report').to.match(/entry\.ts\(2,27\): error TS2322: Type 'number' is not assignable to type 'string'\./);
      expect(broken.ok === false ? broken.report : '', 'no file list in the report').to.not.match(/^\//m);
      expect(check().ok, 'a failed check leaves no stamp: still failing').to.equal(false);

      p.write('shape.ts', 'export interface Shape { port: number }\n');
      expect(check(), 'back to the content that was checked clean').to.deep.equal({ ok: true, cached: true });
      p.write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', types: [], rootDir: '.', noUnusedLocals: true } }));
      expect(check(), 'tsconfig.json is part of the stamp').to.deep.equal({ ok: true, cached: false });
    });
  }

  describe('through the CLI', () => {
    const pb = playbook('site', [play({ name: 'p', hosts: 'all', tasks: [task({ name: 't', action: mark({ id: 't' }) })] })]);
    const io = (typeCheck: CliIO['typeCheck']) => {
      const err: string[] = [];
      const touched: string[] = [];
      const value: CliIO = {
        out: () => undefined,
        err: (l) => err.push(l),
        env: {},
        isTTY: false,
        connect: (e) => {
          touched.push(e.name);
          throw new Error('no host should be touched');
        },
        typeCheck,
      };
      return { value, err, touched };
    };

    it('stops on type errors before reading the inventory, naming the flag that skips the check', async () => {
      const t = io(() => ({ ok: false, report: "roles/x.ts(3,5): error TS2322: Type 'number' is not assignable to type 'string'." }));
      expect(await main(pb, ['-i', 'no/such/inventory'], t.value)).to.equal(1);
      expect(t.err).to.deep.equal([
        "roles/x.ts(3,5): error TS2322: Type 'number' is not assignable to type 'string'.",
        'ERROR: site: the type errors above stop the run before any host is touched (--no-type-check runs it anyway)',
      ]);
      expect(t.touched).to.deep.equal([]);
    });

    it('--no-type-check does not call the checker; --help never does', async () => {
      let calls = 0;
      const t = io(() => {
        calls += 1;
        return { ok: true, cached: true };
      });
      expect(await main(pb, ['-i', 'no/such/inventory', '--no-type-check'], t.value)).to.equal(1); // the missing inventory
      expect(await main(pb, ['--help'], { ...t.value, out: () => undefined })).to.equal(0);
      expect(calls).to.equal(0);
      expect(t.err.join('\n')).to.contain('no/such/inventory');
    });
  });

  it('`npx ts-node PLAYBOOK` with a type error exits 1 with the compiler message and runs nothing', () => {
    // Inside the repository (its tsconfig and node_modules) but outside tsconfig's include, so that a copy
    // left by an interrupted run cannot break `tsc --noEmit`; removed afterwards.
    mkdirSync(path.join(REPO, '.spec-tmp'), { recursive: true });
    const dir = mkdtempSync(path.join(REPO, '.spec-tmp', 'type-check-'));
    made.push(dir);
    const entry = path.join(dir, 'broken.ts');
    const marker = path.join(dir, 'ran');
    writeFileSync(
      entry,
      [
        "import { writeFileSync } from 'node:fs';",
        "import { runIfMain } from '../../engine/cli';",
        "import { play, playbook } from '../../engine/dsl';",
        `writeFileSync(${JSON.stringify(marker)}, 'module body ran');`,
        "const forks: number = 'ten';",
        "runIfMain(module, playbook('broken', [play({ name: 'p', hosts: 'all', tasks: [] })]));",
        'void forks;',
        '',
      ].join('\n'),
    );
    const r = spawnSync('npx', ['ts-node', entry, '-i', 'spec/fixtures/cli/hosts.ini'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/broken\.ts\(5,7\): error TS2322: Type 'string' is not assignable to type 'number'\./);
    expect(r.stderr).to.contain('ERROR: broken: the type errors above stop the run before any host is touched');
    expect(r.stdout).to.not.contain('PLAY');
    // The module body runs (SWC transpiles it, as `ts-node -T` would); only the playbook run is refused.
    expect(existsSync(marker)).to.equal(true);
  });
});
