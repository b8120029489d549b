// Temporary local users with a sudoers drop-in, for become specs against a local sshd (needs root).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SystemUser {
  readonly name: string;
  readonly password: string;
  remove(): Promise<void>;
}

/** A user with a home, a password and sudo rights: asking for its password, or NOPASSWD. */
export async function createSudoUser(prefix: string, sudo: 'password' | 'nopasswd'): Promise<SystemUser> {
  const name = `${prefix}${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const dropIn = `/etc/sudoers.d/${name}`;
  await run('useradd', ['--create-home', '--shell', '/bin/bash', name]);
  const chpasswd = run('chpasswd');
  chpasswd.child.stdin!.end(`${name}:${password}\n`);
  await chpasswd;
  await fs.writeFile(dropIn, `${name} ALL=(ALL:ALL) ${sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`, { mode: 0o440 });
  await run('visudo', ['-c', '-f', dropIn]);
  return {
    name,
    password,
    async remove() {
      await fs.rm(dropIn, { force: true });
      await run('userdel', ['--remove', '--force', name]).catch(() => undefined);
    },
  };
}
