// The differential check of one inventory case: what the real Ansible makes of it (ansible-inventory --list,
// `ansible PATTERN --list-hosts` per pattern and per group, `ansible-inventory --host` for extra hosts) against
// what the engine makes of it (the `npm run inventory` library functions on the same argv), every difference a
// line naming the case, the host or group, the variable, Ansible's value and ours.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../engine/errors';
import { hostJson, inventoryFromArgv, listJson } from '../../engine/inventory/cli';
import type { Inventory } from '../../engine/inventory/types';
import { mapLimit } from '../../engine/runner/pool';
import { ansibleAsync, type AnsibleResult } from './ansible';

export const CORPUS = 'spec/fixtures/inventories';

/** spec/fixtures/inventories/NAME/case.json */
export interface CaseSpec {
  /** What the case is about. */
  readonly why: string;
  /** The inventory and vault flags, paths relative to the case directory (CASE/ also names it). */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Host patterns asked of both, besides every group name. */
  readonly patterns?: readonly string[];
  /** Hosts asked with --host besides those in --list (an implicit localhost). */
  readonly hosts?: readonly string[];
  /**
   * A deliberate difference: the engine refuses the inventory with this error (CASE/ for the case directory),
   * and Ansible instead does what `ansible` says (its stderr matches, and its exit code when given).
   */
  readonly deliberate?: { readonly ours: string; readonly ansible: { readonly stderr: string; readonly rc?: number } };
  /** Patterns whose order Ansible leaves to a Python set (Group._walk_relationship): compared as sets. */
  readonly unordered?: readonly string[];
}

export interface Case extends CaseSpec {
  readonly name: string;
  readonly dir: string;
}

export function loadCorpus(): Case[] {
  return readdirSync(CORPUS)
    .sort()
    .map((name) => {
      const dir = join(process.cwd(), CORPUS, name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
      return { ...spec, name, dir };
    });
}

const placed = (text: string, c: Case): string => text.split('CASE/').join(`${c.dir}/`);
const envOf = (c: Case): Record<string, string> => Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, placed(v, c)]));
const argsOf = (c: Case): string[] => c.args.map((a) => placed(a, c));

/** What Ansible answered for one case. */
export interface AnsibleAnswer {
  readonly list: AnsibleResult;
  readonly patterns: ReadonlyMap<string, AnsibleResult>;
  readonly hosts: ReadonlyMap<string, AnsibleResult>;
  /** Inline vault ciphertext -> its plaintext, as Ansible's VaultLib decrypts it. */
  readonly vault: ReadonlyMap<string, string>;
}

/**
 * Ask the real Ansible about every case: one `ansible-inventory --list` process per case (a few at once), then
 * one Python process per environment for all patterns, --host queries and vault values (ansible-queries.py).
 */
export async function askAnsible(cases: readonly Case[]): Promise<Map<string, AnsibleAnswer>> {
  const lists = await mapLimit(cases, 3, (c) => ansibleAsync('ansible-inventory', [...argsOf(c), '--list'], { cwd: c.dir, env: envOf(c) }));
  const queries = cases.map((c, i) => {
    const list = parseJson(lists[i]!.stdout);
    const groups = list ? Object.keys(list).filter((k) => k !== '_meta') : [];
    return {
      cwd: c.dir,
      args: argsOf(c),
      env: envOf(c),
      patterns: [...new Set([...(c.patterns ?? []), ...groups, 'all', 'ungrouped'])],
      hosts: [...(c.hosts ?? [])],
      vault: list ? vaultTexts(list) : [],
    };
  });
  // Ansible reads its environment once per process: cases that set one get a process of their own.
  const byEnv = new Map<string, typeof queries>();
  for (const q of queries) {
    const key = JSON.stringify(q.env);
    byEnv.set(key, [...(byEnv.get(key) ?? []), q]);
  }
  const answers = new Map<(typeof queries)[number], { patterns: AnsibleResult[]; hosts: AnsibleResult[]; vault: ({ plaintext: string } | { error: string })[] }>();
  await mapLimit([...byEnv.values()], 2, async (group) => {
    const run = await ansibleAsync('/usr/bin/python3', ['spec/support/ansible-queries.py'], {
      env: group[0]!.env,
      input: JSON.stringify(group.map(({ env: _env, ...q }) => q)),
    });
    if (run.status !== 0) throw new Error(`ansible-queries.py failed (${String(run.status)}): ${run.stderr}`);
    const parsed = JSON.parse(run.stdout) as { patterns: AnsibleResult[]; hosts: AnsibleResult[]; vault: ({ plaintext: string } | { error: string })[] }[];
    group.forEach((q, i) => answers.set(q, parsed[i]!));
  });
  const out = new Map<string, AnsibleAnswer>();
  cases.forEach((c, i) => {
    const q = queries[i]!;
    const a = answers.get(q)!;
    const vault = new Map<string, string>();
    q.vault.forEach((text, j) => {
      const r = a.vault[j];
      if (r && 'plaintext' in r) vault.set(text, r.plaintext);
    });
    out.set(c.name, {
      list: lists[i]!,
      patterns: new Map(q.patterns.map((p, j) => [p, a.patterns[j]!])),
      hosts: new Map(q.hosts.map((h, j) => [h, a.hosts[j]!])),
      vault,
    });
  });
  return out;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function vaultTexts(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => vaultTexts(v, into));
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__ansible_vault === 'string' && Object.keys(o).length === 1) into.push(o.__ansible_vault);
    else Object.values(o).forEach((v) => vaultTexts(v, into));
  }
  return into;
}

/** Values as Ansible uses them: inline vault values as their plaintext, !unsafe strings as the string. */
function decrypted(value: unknown, vault: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => decrypted(v, vault));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__ansible_vault === 'string' && Object.keys(o).length === 1) return vault.get(o.__ansible_vault) ?? o;
    if (typeof o.__ansible_unsafe === 'string' && Object.keys(o).length === 1) return o.__ansible_unsafe;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decrypted(v, vault)]));
  }
  return value;
}

/** `  hosts (2):\n    a\n    b` -> ['a', 'b']. */
function listedHosts(stdout: string): string[] | undefined {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => /^\s*hosts \(\d+\):$/.test(l));
  if (at < 0) return undefined;
  return lines.slice(at + 1).map((l) => l.trim()).filter(Boolean);
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/** Every difference between Ansible and the engine for one case, as lines; empty when they agree. */
export async function differences(c: Case, answer: AnsibleAnswer): Promise<string[]> {
  const out: string[] = [];
  const diff = (what: string, theirs: unknown, ours: unknown): void => {
    if (!isDeepStrictEqual(theirs, ours)) out.push(`case ${c.name}: ${what}: ansible=${show(theirs)} ours=${show(ours)}`);
  };
  const io = { out: () => undefined, err: () => undefined, env: envOf(c), cwd: c.dir };
  let inv: Inventory;
  try {
    inv = (await inventoryFromArgv([...argsOf(c), '--list'], io)).inventory;
  } catch (e) {
    if (!(e instanceof ConfigError) || !c.deliberate) throw e;
    const expected = placed(c.deliberate.ours, c);
    if (e.message !== expected) out.push(`case ${c.name}: our error should be ${show(expected)}, is ${show(e.message)}`);
    const stderr = answer.list.stderr.replace(/\s*\n\s*/g, ' ').trim();
    if (!new RegExp(c.deliberate.ansible.stderr).test(stderr)) out.push(`case ${c.name}: Ansible's stderr does not match /${c.deliberate.ansible.stderr}/: ${stderr}`);
    if (c.deliberate.ansible.rc !== undefined) diff("Ansible's exit code", c.deliberate.ansible.rc, answer.list.status);
    return out;
  }
  if (c.deliberate) return [`case ${c.name}: expected our error '${placed(c.deliberate.ours, c)}', but the engine loaded the inventory`];

  const theirs = parseJson(answer.list.stdout);
  if (answer.list.status !== 0 || !theirs) return [`case ${c.name}: ansible-inventory --list failed (${String(answer.list.status)}): ${answer.list.stderr}`];
  const ours = listJson(inv);
  const groups = new Set([...Object.keys(theirs), ...Object.keys(ours)].filter((k) => k !== '_meta'));
  for (const g of [...groups].sort()) {
    const t = theirs[g] as { hosts?: string[]; children?: string[] } | undefined;
    const o = ours[g] as { hosts?: string[]; children?: string[] } | undefined;
    diff(`group ${g}: direct hosts`, t?.hosts, o?.hosts);
    diff(`group ${g}: children`, t?.children, o?.children);
  }
  const theirVars = ((theirs._meta as { hostvars?: Record<string, Record<string, unknown>> } | undefined)?.hostvars ?? {});
  const ourVars = (ours._meta as { hostvars: Record<string, Record<string, unknown>> }).hostvars;
  for (const host of [...new Set([...Object.keys(theirVars), ...Object.keys(ourVars)])].sort()) {
    const t = (decrypted(theirVars[host] ?? {}, answer.vault) ?? {}) as Record<string, unknown>;
    const o = ourVars[host] ?? {};
    for (const v of [...new Set([...Object.keys(t), ...Object.keys(o)])].sort()) diff(`host ${host}: variable ${v}`, t[v], o[v]);
  }
  for (const [pattern, result] of answer.patterns) {
    // Each query is a process of its own for Ansible: its implicit localhost is named by that query's pattern.
    const fresh = (await inventoryFromArgv([...argsOf(c), '--list'], io)).inventory;
    out.push(...patternDifference(c, fresh, pattern, result));
  }
  for (const [host, result] of answer.hosts) {
    const t = parseJson(result.stdout);
    let o: Record<string, unknown> | string;
    try {
      o = hostJson(inv, host);
    } catch (e) {
      o = `error: ${(e as Error).message}`;
    }
    if (!t) {
      out.push(`case ${c.name}: ansible-inventory --host ${host} failed: ${result.stderr.trim()}`);
      continue;
    }
    // The implicit localhost's interpreter is Ansible's own Python: the engine runs none (README).
    if (typeof o === 'object' && !(host in theirVars)) delete t.ansible_python_interpreter;
    diff(`--host ${host}`, decrypted(t, answer.vault), o);
  }
  return out;
}

function patternDifference(c: Case, inv: Inventory, pattern: string, result: AnsibleResult): string[] {
  const theirs = listedHosts(result.stdout);
  const where = `case ${c.name}: pattern '${pattern}'`;
  if (theirs === undefined) return [`${where}: ansible failed (${String(result.status)}): ${result.stderr.trim()}`];
  let ours: string[];
  try {
    ours = inv.select(pattern);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Deliberately stricter: a plain name matching nothing is our error where Ansible warns and ignores it;
    // a subscript past the end is InventoryManager's own error, which the ansible command turns into 0 hosts.
    const unknown = /^no host or group named '(.*)' in /.exec(e.message)?.[1];
    const warned = unknown !== undefined && result.stderr.includes(`Could not match supplied host pattern, ignoring: ${unknown}`);
    const subscript = e.message.startsWith('No hosts matched the subscripted pattern') && theirs.length === 0;
    return warned || subscript ? [] : [`${where}: ansible=${show(theirs)} ours=error: ${e.message}`];
  }
  const unordered = c.unordered?.includes(pattern) || setOrdered(inv, pattern);
  const same = unordered ? isDeepStrictEqual([...theirs].sort(), [...ours].sort()) : isDeepStrictEqual(theirs, ours);
  return same ? [] : [`${where}: ansible=${show(theirs)} ours=${show(ours)}`];
}

/**
 * True when Ansible's order of a group's hosts is Python's set order: Group._walk_relationship walks each level
 * of children as a set, so where two groups of a level bring new children, their order follows object addresses.
 */
function setOrdered(inv: Inventory, group: string): boolean {
  const children = (g: string): readonly string[] => inv.tree.get(g)?.children ?? [];
  if (!inv.tree.has(group)) return false;
  const seen = new Set<string>();
  let level = new Set([group, ...children(group)]);
  while (level.size > 0) {
    level.forEach((g) => seen.add(g));
    const bringing = [...level].filter((g) => children(g).some((k) => !seen.has(k)));
    if (bringing.length > 1) return true;
    level = new Set([...level].flatMap((g) => children(g)).filter((k) => !seen.has(k)));
  }
  return false;
}
