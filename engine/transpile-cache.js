// @ts-check
// ts-node's transpiler for this project (tsconfig.json "ts-node.transpiler"): SWC, as ts-node's own
// `swc: true` does, with its output kept on disk per source file. A start whose sources are unchanged
// then reads each file's JavaScript instead of transpiling it, and never loads the SWC binding at all
// (bench/RESULTS.md: ~40 ms of CPU on every `npx ts-node PLAYBOOK`). Plain JavaScript because ts-node
// loads it before it can transpile anything.
//
// An entry is used only when it was made from the same source text, file name, compiler options, module
// kind and ts-node and SWC versions; otherwise SWC transpiles and the entry is replaced (one per file).
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const DEFAULT_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'vpha-transpile');

/** @param {string} pkg */
const versionOf = (pkg) => /** @type {{ version: string }} */ (require(`${pkg}/package.json`)).version;

/**
 * @typedef {{ outputText: string, sourceMapText?: string }} Output
 * @typedef {{ transpile(input: string, options: { fileName: string }): Output }} Transpiler
 * @typedef {{ service: { config: { options: object } }, nodeModuleEmitKind?: string, cacheDir?: string }} CreateOptions
 */

/**
 * @param {CreateOptions} createOptions what ts-node passes a transpiler factory (plus `cacheDir`, a
 *   transpiler option in tsconfig.json, for a cache elsewhere than node_modules/.cache)
 * @returns {Transpiler}
 */
exports.create = (createOptions) => {
  const dir = createOptions.cacheDir ?? DEFAULT_DIR;
  const salt = JSON.stringify([createOptions.service.config.options, createOptions.nodeModuleEmitKind, versionOf('ts-node'), versionOf('@swc/core')]);
  /** @type {Transpiler | undefined} */
  let swc;
  let made = false;
  return {
    transpile(input, options) {
      const entry = path.join(dir, `${createHash('sha256').update(options.fileName).digest('hex').slice(0, 32)}.json`);
      const key = createHash('sha256').update(salt).update('\0').update(options.fileName).update('\0').update(input).digest('hex');
      try {
        const hit = /** @type {{ key: string } & Output} */ (JSON.parse(readFileSync(entry, 'utf8')));
        if (hit.key === key) return { outputText: hit.outputText, sourceMapText: hit.sourceMapText };
      } catch {
        // no entry yet, or an unreadable one: transpile
      }
      swc ??= /** @type {{ create(o: CreateOptions): Transpiler }} */ (require('ts-node/transpilers/swc')).create(createOptions);
      const out = swc.transpile(input, options);
      try {
        if (!made) mkdirSync(dir, { recursive: true });
        made = true;
        const tmp = `${entry}.${process.pid}.tmp`; // several processes may write the same entry at once
        writeFileSync(tmp, JSON.stringify({ key, outputText: out.outputText, sourceMapText: out.sourceMapText }));
        renameSync(tmp, entry);
      } catch {
        // a read-only checkout runs uncached
      }
      return out;
    },
  };
};
