// Passwords typed at -k/-K/--ask-vault-pass prompts are never echoed: a real pseudo-terminal (script(1)) shows
// everything the terminal would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { promptSecret } from '../../../engine/prompt';

describe('prompts on a terminal', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vpha-prompt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a password with echo off; the screen shows the question only', async () => {
    const answer = join(dir, 'answer');
    const program = `require('./engine/prompt').promptSecret('SSH password: ').then((p) => require('fs').writeFileSync(${JSON.stringify(answer)}, p))`;
    const node = `${process.execPath} -r ts-node/register/transpile-only -e ${JSON.stringify(program)}`;
    // script(1) gives the child a pseudo-terminal and copies all it shows to stdout; we type once the question is up.
    const child = spawn('script', ['-qec', node, '/dev/null'], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const status = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        const before = screen;
        screen += b.toString('utf8');
        if (!before.includes('SSH password: ') && screen.includes('SSH password: ')) child.stdin.write('T0p-s3cr3t\x7ft\r');
      });
      child.on('close', resolve);
    });
    expect(status, screen).to.equal(0);
    expect(readFileSync(answer, 'utf8')).to.equal('T0p-s3cr3t');
    expect(screen).to.contain('SSH password: ');
    expect(screen).not.to.contain('s3cr');
  });

  it('refuses to ask without a terminal', async () => {
    const input = Object.assign(Object.create(process.stdin) as NodeJS.ReadStream, { isTTY: false });
    const e = await promptSecret('BECOME password: ', { input, output: process.stderr }).then(() => undefined, (err: Error) => err);
    expect(e?.message).to.equal("cannot ask 'BECOME password:': stdin is not a terminal");
  });
});
