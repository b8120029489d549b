// The file state script (modules/lib/remote-file.ts) for many files at once, run by a real /bin/sh on a temp
// tree: the same answers as one script per file, and the processes it starts (counted through PATH wrappers).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStateScript, parseFileState, type FileRequest } from '../../../modules/lib/remote-file';

const TOOLS = ['stat', 'sha256sum', 'readlink', 'base64', 'dirname'];

describe('file state: many files in one script', () => {
  let root: string;
  let bin: string;
  let log: string;
  const at = (p: string): string => join(root, p);

  /** Run a script with every tool wrapped to log its name; stdout and the tools started, in order. */
  const run = (script: string): { stdout: string; started: string[] } => {
    writeFileSync(log, '');
    const stdout = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, LC_ALL: 'C' } });
    return { stdout, started: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  };
  const read = (requests: readonly FileRequest[]) => parseFileState('f', requests, run(fileStateScript('f', requests)).stdout);

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'file-state-')));
    bin = at('bin');
    log = at('started.log');
    mkdirSync(bin);
    for (const tool of TOOLS) {
      const real = execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} >> ${log}\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    mkdirSync(at('real/dir'), { recursive: true });
    writeFileSync(at('real/a.conf'), 'a=1\n', { mode: 0o640 });
    chmodSync(at('real/a.conf'), 0o640);
    writeFileSync(at('real/empty'), '');
    writeFileSync(at(`real/it's "odd" $x`), Buffer.from([0, 255, 10]));
    writeFileSync(at('real/big'), 'x'.repeat(100));
    symlinkSync(at('real'), at('linkdir'));
    symlinkSync(at('real/a.conf'), at('real/link.conf'));
    symlinkSync(at('real/gone'), at('real/dangling'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const requests = (): FileRequest[] => [
    { path: at('real/a.conf'), depth: 'content' },
    { path: at('linkdir/a.conf'), depth: 'hash' },
    { path: at('real/link.conf'), depth: 'hash' },
    { path: at('real/link.conf'), depth: 'meta', follow: false },
    { path: at('real/empty'), depth: 'content' },
    { path: at(`real/it's "odd" $x`), depth: 'content' },
    { path: at('real/big'), depth: 'content', maxContentBytes: 99 },
    { path: at('real/dir'), depth: 'hash' },
    { path: at('real/new.conf'), depth: 'hash' },
    { path: at('linkdir/new.conf'), depth: 'meta' },
    { path: at('no/such/file'), depth: 'hash' },
    { path: at('real/dangling'), depth: 'meta' },
  ];

  it('answers each file as a script for that file alone does', () => {
    const all = read(requests());
    expect(all).to.deep.equal(requests().map((r) => read([r])[0]));
  });

  it('reads what the file holds: kind, mode, owner, size, sha256, bytes, real paths as readlink -f', () => {
    const [a, viaDir, viaLink, link, empty, odd, big, dir, fresh, freshViaDir, missing, dangling] = read(requests());
    const sha = createHash('sha256').update('a=1\n').digest('hex');
    expect(a).to.deep.include({ kind: 'file', mode: 0o640, size: 4, sha256: sha, realPath: at('real/a.conf') });
    expect(a!.content?.toString()).to.equal('a=1\n');
    expect(viaDir).to.deep.include({ kind: 'file', sha256: sha, realPath: at('real/a.conf'), content: undefined });
    expect(viaLink).to.deep.include({ kind: 'file', sha256: sha, realPath: at('real/a.conf') });
    expect(link).to.deep.include({ kind: 'link', linkTarget: at('real/a.conf'), realPath: at('real/a.conf'), sha256: undefined });
    expect(empty).to.deep.include({ kind: 'file', size: 0, content: Buffer.alloc(0) });
    expect(odd!.content).to.deep.equal(Buffer.from([0, 255, 10]));
    expect(big).to.deep.include({ kind: 'file', content: undefined });
    expect(big!.sha256).to.have.length(64);
    expect(dir).to.deep.include({ kind: 'directory', sha256: undefined });
    expect(fresh).to.deep.include({ kind: 'absent', parentIsDir: true, realPath: at('real/new.conf') });
    expect(freshViaDir).to.deep.include({ kind: 'absent', parentIsDir: true, realPath: at('real/new.conf') });
    expect(missing).to.deep.include({ kind: 'absent', parentIsDir: false, realPath: at('no/such/file') });
    expect(dangling).to.deep.include({ kind: 'absent', parentIsDir: true, realPath: at('real/gone') });
  });

  it('starts one stat and one sha256sum for twenty files; readlink only for the symlinks, base64 per file asked', () => {
    const twenty: FileRequest[] = Array.from({ length: 20 }, (_, i) => {
      writeFileSync(at(`real/f${i}`), `file ${i}\n`);
      return { path: at(`real/f${i}`), depth: 'hash' };
    });
    expect(run(fileStateScript('f', twenty)).started).to.deep.equal(['stat', 'sha256sum']);
    const mixed: FileRequest[] = [...twenty, { path: at('real/link.conf'), depth: 'hash' }, { path: at('real/a.conf'), depth: 'content' }];
    expect(run(fileStateScript('f', mixed)).started.sort()).to.deep.equal(['base64', 'readlink', 'sha256sum', 'stat', 'stat']);
  });
});
