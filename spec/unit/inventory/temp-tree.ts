// Inventories written to a temp dir per test, for the error cases (each message names the file).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';

const made: string[] = [];

/** A fresh directory holding `files` (relative path -> content). */
export function tempTree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'vpha-inv-'));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export function removeTempTrees(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The ConfigError `work` rejects with; fails the test on success or on another error type. */
export async function configError(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  expect.fail('expected a ConfigError, but it succeeded');
}
