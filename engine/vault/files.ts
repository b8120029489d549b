// File handling for vault commands: owner-only, atomic writes, and editing plaintext in a private
// temp dir that is removed afterwards, whatever happens.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors';

/** Write `content` to `path` with mode 0600 through a temp file and rename, so no half file is seen. */
export function writeOwnerOnly(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Let the user edit `initial` with $EDITOR (vi when unset) and return the result. The file lives in a
 * 0700 directory as a 0600 file; both are removed before returning or throwing.
 */
export function editText(initial: string, env: NodeJS.ProcessEnv, label: string): string {
  const editor = env.EDITOR || env.VISUAL || 'vi';
  const dir = mkdtempSync(join(tmpdir(), 'vpha-vault-'));
  try {
    chmodSync(dir, 0o700);
    const file = join(dir, `${basename(label).replace(/[^A-Za-z0-9._-]/g, '_')}.yml`);
    writeFileSync(file, initial, { mode: 0o600, flag: 'wx' });
    // $EDITOR may carry arguments ("code -w"); the file goes in as "$1", never spliced into the command.
    const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'vault-editor', file], { stdio: 'inherit', env });
    if (result.error) throw new ConfigError(`vault ${label}: cannot run the editor '${editor}': ${result.error.message}`);
    if (result.status !== 0) {
      throw new ConfigError(`vault ${label}: the editor '${editor}' exited with ${String(result.status ?? result.signal)}; nothing was written`);
    }
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
