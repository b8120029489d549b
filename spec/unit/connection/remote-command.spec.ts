// The exec request string, run here by a real /bin/sh as sshd would hand it to the login shell.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { innerScript, pidMarker, readyMarker, remoteCommand, sudoPrompt } from '../../../engine/connection/remote-command';

const shell = (cmd: string, input = ''): string => execFileSync('/bin/sh', ['-c', cmd], { input, encoding: 'utf8' });

describe('remote command string', () => {
  it('exports env values verbatim, sets LC_ALL=C and changes directory', () => {
    const env = { A: `it's "$HOME" \`x\` \\ ;|&`, B: '', C: 'line1\nline2' };
    const cmd = remoteCommand({ command: 'printf "%s|%s|%s|%s|%s" "$A" "$B" "$C" "$LC_ALL" "$(pwd)"', env, cwd: '/usr', sudo: 'none', token: 't1', reportPid: false });
    expect(shell(cmd)).to.equal(`${env.A}||line1\nline2|C|/usr`);
  });

  it('rejects environment names that are not shell identifiers', () => {
    expect(() => innerScript({ command: 'true', env: { 'A;rm -rf /': 'x' } })).to.throw(/invalid environment variable name/);
  });

  it('prints the process group id first when asked, then runs the command with stdin', () => {
    const out = shell(remoteCommand({ command: 'cat', sudo: 'none', token: 'tok', reportPid: true }), 'in');
    const m = new RegExp(`^${pidMarker('tok')}(\\d+)\\n`).exec(out);
    expect(m, out).to.not.equal(null);
    expect(out.slice(m![0].length)).to.equal('in');
  });

  it('keeps a multi-line command with its own quotes intact', () => {
    const command = `x='a b'\nif [ "$x" = 'a b' ]; then echo same; fi`;
    expect(shell(remoteCommand({ command, sudo: 'none', token: 't', reportPid: false }))).to.equal('same\n');
  });

  it('wraps in sudo -n, or sudo -S with a unique prompt and a ready line, never a password', () => {
    const n = remoteCommand({ command: 'id -u', sudo: 'nopasswd', token: 't', reportPid: false });
    expect(n).to.match(/^exec sudo -n -- \/bin\/sh -c /);
    const s = remoteCommand({ command: 'id -u', sudo: 'password', token: 'abc123', reportPid: false });
    expect(s).to.include(`sudo -S -p '${sudoPrompt('abc123')}' -- /bin/sh -c`);
    if (process.getuid?.() === 0) {
      // root's sudo asks no password: the ready line comes first, then the command's output
      expect(shell(s)).to.equal(`${readyMarker('abc123')}0\n`);
      expect(shell(n)).to.equal('0\n');
    }
  });
});
