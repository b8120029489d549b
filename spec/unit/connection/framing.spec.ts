// The wire format (engine/connection/framing.ts), run by a real /bin/sh as sshd would hand it to the login
// shell: the exec request, the command-shell request and the markers the client reads back.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cleanStderr,
  cleanStdout,
  execRequest,
  findPid,
  innerScript,
  isReady,
  parseSections,
  parseStatus,
  pidMarker,
  promptCount,
  readyMarker,
  renderSections,
  sectionsScript,
  shellArgv,
  shellMarkers,
  shellRequest,
  STATUS_DIGITS,
  sudoMode,
  sudoPrompt,
  splitSectionsScript,
} from '../../../engine/connection/framing';
import { LocalConnection } from '../../../engine/connection/local';
import type { HostName } from '../../../engine/types';

const shell = (cmd: string, input = ''): string => execFileSync('/bin/sh', ['-c', cmd], { input, encoding: 'utf8' });
const isRoot = process.getuid?.() === 0;

describe('framing: the exec request', () => {
  it('exports env values verbatim, sets LC_ALL=C and changes directory', () => {
    const env = { A: `it's "$HOME" \`x\` \\ ;|&`, B: '', C: 'line1\nline2' };
    const cmd = execRequest({ command: 'printf "%s|%s|%s|%s|%s" "$A" "$B" "$C" "$LC_ALL" "$(pwd)"', env, cwd: '/usr', sudo: 'none', token: 't1', reportPid: false });
    expect(shell(cmd)).to.equal(`${env.A}||line1\nline2|C|/usr`);
  });

  it('rejects environment names that are not shell identifiers', () => {
    expect(() => innerScript({ command: 'true', env: { 'A;rm -rf /': 'x' } })).to.throw(/invalid environment variable name/);
  });

  it('fails with exit 1 when the working directory is missing, before the command runs', () => {
    const r = spawnSync('/bin/sh', ['-c', execRequest({ command: 'echo ran', cwd: '/nonexistent-dir', sudo: 'none', token: 't', reportPid: false })], { encoding: 'utf8' });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal('');
  });

  it('prints the process group id first when asked, then runs the command with stdin', () => {
    const out = shell(execRequest({ command: 'cat', sudo: 'none', token: 'tok', reportPid: true }), 'in');
    const m = new RegExp(`^${pidMarker('tok')}(\\d+)\\n`).exec(out);
    expect(m, out).to.not.equal(null);
    expect(findPid(out, 'tok')).to.equal(Number(m![1]));
    expect(cleanStdout(Buffer.from(out), 'tok').toString()).to.equal('in');
  });

  it('keeps a multi-line command with its own quotes intact', () => {
    const command = `x='a b'\nif [ "$x" = 'a b' ]; then echo same; fi`;
    expect(shell(execRequest({ command, sudo: 'none', token: 't', reportPid: false }))).to.equal('same\n');
  });

  it('wraps in sudo -n, or sudo -S with a unique prompt and a ready line, never a password', () => {
    const n = execRequest({ command: 'id -u', sudo: 'nopasswd', token: 't', reportPid: false });
    expect(n).to.match(/^exec sudo -n -- \/bin\/sh -c /);
    const s = execRequest({ command: 'id -u', sudo: 'password', token: 'abc123', reportPid: false });
    expect(s).to.include(`sudo -S -p '${sudoPrompt('abc123')}' -- /bin/sh -c`);
    if (isRoot) {
      // root's sudo asks no password: the ready line comes first, then the command's output
      expect(shell(s)).to.equal(`${readyMarker('abc123')}0\n`);
      expect(shell(n)).to.equal('0\n');
    }
  });

  it('decides the sudo mode: none without become or as root, -S with a become password, else -n', () => {
    expect(sudoMode(undefined, false, 'pw')).to.equal('none');
    expect(sudoMode(true, true, 'pw')).to.equal('none');
    expect(sudoMode(true, false, 'pw')).to.equal('password');
    expect(sudoMode(true, false, undefined)).to.equal('nopasswd');
  });
});

describe('framing: reading an exec channel back', () => {
  it('finds the ready line and counts prompts; strips ready and pid lines from stdout and prompts from stderr', () => {
    const out = `${pidMarker('k')}42\n${readyMarker('k')}hello\n`;
    expect(isReady(out, 'k')).to.equal(true);
    expect(isReady('hello\n', 'k')).to.equal(false);
    expect(findPid(out, 'k')).to.equal(42);
    expect(findPid(out, 'other')).to.equal(undefined);
    expect(cleanStdout(Buffer.from(out), 'k').toString()).to.equal('hello\n');
    const err = `${sudoPrompt('k')}Sorry, try again.\n${sudoPrompt('k')}`;
    expect(promptCount(err, 'k')).to.equal(2);
    expect(cleanStderr(Buffer.from(err), 'k').toString()).to.equal('Sorry, try again.\n');
  });

  it('keeps output bytes that are not UTF-8 as they are', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x0a]);
    expect(cleanStdout(Buffer.concat([Buffer.from(readyMarker('k')), bytes]), 'k').equals(bytes)).to.equal(true);
  });
});

describe('framing: the command shell', () => {
  /** Everything a /bin/sh fed `requests` on stdin prints, as the command shell's channel would carry it. */
  const session = (requests: string): { stdout: Buffer; stderr: Buffer } => {
    const r = spawnSync('/bin/sh', [], { input: requests });
    return { stdout: r.stdout, stderr: r.stderr };
  };

  it('runs each command in its own /bin/sh: exit, cd and exports stay there; status and end markers follow it', () => {
    const one = shellRequest({ command: 'cd /usr; export X=1; echo "$X $(pwd)"; echo oops >&2; exit 7', env: { Y: 'y' } }, 'none', 't1');
    const two = shellRequest({ command: 'echo "${X:-unset} $Y $(pwd)"' }, 'none', 't2');
    const { stdout, stderr } = session(one + two);
    const m1 = shellMarkers('t1');
    const at = stdout.indexOf(m1.status);
    expect(stdout.subarray(0, at).toString()).to.equal('1 /usr\n');
    expect(parseStatus(stdout.subarray(at + m1.status.length, at + m1.status.length + STATUS_DIGITS))).to.equal(7);
    const m2 = shellMarkers('t2');
    const rest = stdout.subarray(at + m1.status.length + STATUS_DIGITS + 1);
    expect(rest.subarray(0, rest.indexOf(m2.status)).toString()).to.equal(`unset  ${process.cwd()}\n`);
    expect(stderr.toString()).to.equal(`oops\n${m1.end.toString()}${m2.end.toString()}`);
  });

  it('reads no stdin of the shell: a command that reads stdin gets end-of-file, the next request still runs', () => {
    const { stdout } = session(shellRequest({ command: 'cat; echo after-cat' }, 'none', 'a') + shellRequest({ command: 'echo next' }, 'none', 'b'));
    expect(stdout.toString()).to.contain('after-cat\n');
    expect(stdout.toString()).to.contain('next\n');
  });

  it('wraps the command line in sudo -n exactly as an exec channel does', () => {
    const line = shellRequest({ command: 'id -u' }, 'nopasswd', 't');
    expect(line.startsWith('sudo -n -- /bin/sh -c ')).to.equal(true);
    expect(execRequest({ command: 'id -u', sudo: 'nopasswd', token: 'x', reportPid: false })).to.equal(`exec ${line.slice(0, line.indexOf(' </dev/null'))}`);
    if (isRoot) expect(session(line).stdout.toString()).to.match(/^0\n/);
  });
});

describe('framing: a probe round (several read-only scripts in one command)', () => {
  const parts = ['printf "no newline"', 'echo one; exit 3', 'set -- a b; cd /tmp; echo "$# $(pwd)"', 'cat; echo "args $#, in $(pwd)"', 'true'];

  it("runs each part in its own subshell: output, exit status, exit/set --/cd stay there, stdin is empty", () => {
    const out = shell(sectionsScript(parts, 'ab12'), 'stdin the parts must not see\n');
    expect(parseSections(out, 'ab12', parts.length)).to.deep.equal([
      { code: 0, stdout: 'no newline' },
      { code: 3, stdout: 'one\n' },
      { code: 0, stdout: '2 /tmp\n' },
      { code: 0, stdout: `args 0, in ${process.cwd()}\n` },
      { code: 0, stdout: '' },
    ]);
  });

  it('a part that did not finish (the command was cut off) has no section; another token finds nothing', () => {
    const out = shell(sectionsScript(['echo a', 'echo b'], 'cd34'));
    expect(parseSections(out.slice(0, out.indexOf('cd34_sec_1')), 'cd34', 2)).to.deep.equal([{ code: 0, stdout: 'a\n' }, undefined]);
    expect(parseSections(out, 'ef56', 2)).to.deep.equal([undefined, undefined]);
  });

  it('fake hosts split the command back into its parts and print what a real shell prints', () => {
    const cmd = sectionsScript(parts, 'ab12');
    expect(splitSectionsScript(cmd)).to.deep.equal({ token: 'ab12', parts });
    expect(splitSectionsScript('echo ab12_sec_0')).to.equal(undefined);
    const real = parseSections(shell(cmd), 'ab12', parts.length);
    expect(parseSections(renderSections('ab12', real.map((r) => r!)), 'ab12', parts.length)).to.deep.equal(real);
  });
});

describe('framing: the local connection uses the same script and wrapping', () => {
  const local = new LocalConnection('localhost' as HostName);

  it('env, LC_ALL=C and cwd as over SSH', async () => {
    const r = await local.exec('printf "%s|%s|%s" "$A" "$LC_ALL" "$(pwd)"', { env: { A: `it's` }, cwd: '/usr' });
    expect(r).to.deep.equal({ code: 0, stdout: `it's|C|/usr`, stderr: '' });
  });

  it('a missing cwd fails the command with exit 1, as over SSH', async () => {
    const r = await local.exec('echo ran', { cwd: '/nonexistent-dir' });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
  });

  it('become as root needs no sudo; the argv is framing.shellArgv', async () => {
    expect(shellArgv('true', 'nopasswd')).to.deep.equal(['sudo', '-n', '--', '/bin/sh', '-c', 'true']);
    if (isRoot) expect((await local.exec('id -u', { become: true })).stdout).to.equal('0\n');
  });
});
