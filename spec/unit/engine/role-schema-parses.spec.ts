// Proves, by counting the zod parses of each role's own schema (every parse entry point of the schema object,
// wrapped for the test and restored after), that a run validates a role's variables exactly once per host and
// role use: playbooks/site.ts through the CLI on a fake pair, every role running tasks on both hosts, is
// 2 hosts x 7 roles = 14 parses (plan checks, preflight and every task's view included). A setFact that
// changes the variables a role use sees costs that host exactly one more parse of it, when next read; one that
// changes nothing (the same value again, or the value the inventory already gives) costs none.
import { expect } from 'chai';
import YAML from 'yaml';
import { z } from 'zod';
import type { Vars } from '../../../engine/dsl';
import { dslFor, play, playbook, role } from '../../../engine/dsl';
import type { RunEvent } from '../../../engine/runner/events';
import { site } from '../../../playbooks/site';
import { adoptionVars } from '../../../roles/adoption';
import { commonVars } from '../../../roles/common/vars';
import { drbdVars } from '../../../roles/drbd/vars';
import { mariadbVars } from '../../../roles/mariadb_master_master/vars';
import { pacemakerVars } from '../../../roles/pacemaker/vars';
import { vdoVars } from '../../../roles/vdo/vars';
import { registrationVars } from '../../../roles/vprotect_registration/vars';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';
import { fakeCluster, mark, runFake } from '../../support/fake-run';
import { siteCluster } from '../../support/site-host';

/** Every method through which a zod schema parses a value (`spa` reads `safeParseAsync`, so it is counted too). */
const PARSE_METHODS = [
  'parse',
  'safeParse',
  'parseAsync',
  'safeParseAsync',
  'decode',
  'safeDecode',
  'decodeAsync',
  'safeDecodeAsync',
  'encode',
  'safeEncode',
  'encodeAsync',
  'safeEncodeAsync',
] as const satisfies readonly (keyof z.ZodType)[];

/** Parses per schema name, then per host (as `hostOf` reads it from the value parsed). */
type Counts = Map<string, Map<string, number>>;

/**
 * Wrap every parse method of each schema (an own property shadowing zod's prototype method) so each call is
 * counted under the schema's name and the host whose variables it parses. `restore` puts every schema back.
 */
function countParses(
  schemas: ReadonlyMap<string, z.ZodType>,
  hostOf: (input: unknown) => string,
): { readonly counts: Counts; readonly of: (schema: string, host: string) => number; readonly restore: () => void } {
  const counts: Counts = new Map();
  const undo: (() => void)[] = [];
  for (const [name, schema] of schemas) {
    for (const method of PARSE_METHODS) {
      const own = Object.getOwnPropertyDescriptor(schema, method);
      const original: unknown = schema[method];
      if (typeof original !== 'function') throw new Error(`zod schema of ${name} has no ${method}()`);
      Object.defineProperty(schema, method, {
        configurable: true,
        writable: true,
        value: function counted(this: unknown, ...args: unknown[]): unknown {
          const host = hostOf(args[0]);
          const perHost = counts.get(name) ?? new Map<string, number>();
          perHost.set(host, (perHost.get(host) ?? 0) + 1);
          counts.set(name, perHost);
          return Reflect.apply(original, this, args);
        },
      });
      undo.push(() => (own ? Object.defineProperty(schema, method, own) : Reflect.deleteProperty(schema, method)));
    }
  }
  return {
    counts,
    of: (schema, host) => counts.get(schema)?.get(host) ?? 0,
    restore: () => {
      for (const u of undo.splice(0).reverse()) u();
    },
  };
}

/** `f` run with the schemas' parses counted; the schemas are restored however `f` ends. */
async function whileCounting<T>(counter: { readonly restore: () => void }, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    counter.restore();
  }
}

/** A string variable of the value being parsed (role variables are a record), or '?' when it has none. */
function stringVar(input: unknown, key: string): string {
  if (typeof input !== 'object' || input === null) return '?';
  const value: unknown = Reflect.get(input, key);
  return typeof value === 'string' ? value : '?';
}

/** Counts as sorted 'schema host: n' lines, so a failed assertion prints every count that differs. */
const lines = (counts: Counts): string[] =>
  [...counts].flatMap(([name, perHost]) => [...perHost].map(([host, n]) => `${name} ${host}: ${n}`)).sort();

/** The lines `lines` gives when each schema was parsed `n` times for each host. */
const each = (schemas: readonly string[], hosts: readonly string[], n: number): string[] =>
  schemas.flatMap((name) => hosts.map((host) => `${name} ${host}: ${n}`)).sort();

/** site.ts's roles by name, each with the schema its role() was given. */
const SITE_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['adoption_checks', adoptionVars],
  ['common', commonVars],
  ['drbd', drbdVars],
  ['vdo', vdoVars],
  ['mariadb_master_master', mariadbVars],
  ['pacemaker', pacemakerVars],
  ['vprotect_registration', registrationVars],
]);

describe('runner: role schemas are parsed once per host and role use (zod parses counted)', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('site.ts on a fake pair: exactly one parse of each role schema per host, over a run of every role', async () => {
    const uses = site.plays.flatMap((p) => p.roles.map((u) => u.role.name));
    // The map above names every role site.ts uses, once each: a role added to site.ts must be added here.
    expect([...SITE_SCHEMAS.keys()].sort()).to.deep.equal([...uses].sort());
    // The fake hosts' inventory lines: which host's variables a parse was given.
    const byAddress = new Map([
      ['198.18.0.11', 'vprotect1'],
      ['198.18.0.12', 'vprotect2'],
    ]);
    const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(SITE_GROUP_VARS) });
    const cluster = siteCluster();
    const counter = countParses(SITE_SCHEMAS, (input) => byAddress.get(stringVar(input, 'ansible_host')) ?? '?');
    const run = await whileCounting(counter, () => runMain(site, ['-i', dir, '--json'], { host: (e) => cluster.host(e.name) }));
    expect(run.code, run.err.join('\n')).to.equal(0);
    // Every role ran tasks on both hosts: the count is over a whole run, not one that stopped early.
    const events = run.out.map((l) => JSON.parse(l) as RunEvent);
    for (const name of uses) {
      const hosts = new Set(events.flatMap((e) => (e.type === 'result' && e.task.role === name ? [e.host] : [])));
      expect([...hosts].sort(), name).to.deep.equal(['vprotect1', 'vprotect2']);
    }
    expect(lines(counter.counts)).to.deep.equal(each(uses, ['vprotect1', 'vprotect2'], 1));
    expect([...counter.counts.values()].flatMap((m) => [...m.values()]).reduce((a, b) => a + b, 0)).to.equal(14);
  });

  it('the wrapping is undone: after restore() a schema parses uncounted, never through the wrapper', () => {
    const schema = z.object({ a: z.string() });
    const counter = countParses(new Map([['s', schema]]), () => 'h');
    expect(schema.safeParse({ a: 'x' }).success).to.equal(true);
    expect(() => schema.parse({})).to.throw();
    expect(counter.of('s', 'h')).to.equal(2);
    counter.restore();
    schema.parse({ a: 'y' });
    expect(counter.of('s', 'h')).to.equal(2);
    // (zod may bind a method to the schema on first use: what is there now may be zod's own, never the wrapper.)
    for (const m of PARSE_METHODS) {
      const method: unknown = schema[m];
      expect(typeof method === 'function' && method.name, m).to.not.equal('counted');
    }
  });

  /**
   * Runs role `paint` then role `frame` on two hosts whose variables name them (`who`; the inventory gives
   * `color: red`, as paint's default does). paint's tasks are `first`, then for each step a setFact of its values
   * and a task `after<i>`, or (no values) just a task `then<i>`: each records on its host the color it sees and
   * how many times paint's schema had been parsed for that host when the task's view was made.
   */
  async function runPaint(steps: readonly { readonly set?: Vars }[]): Promise<{ readonly seen: Map<string, string[]>; readonly parses: string[] }> {
    const vars = z.object({ color: z.string().default('red'), size: z.number().default(1) });
    const frameVars = z.object({ color: z.string().default('red') });
    const counter = countParses(
      new Map<string, z.ZodType>([
        ['paint', vars],
        ['frame', frameVars],
      ]),
      (input) => stringVar(input, 'who'),
    );
    const { task: t, setFact: sf } = dslFor<z.output<typeof vars>>();
    const seen = (name: string) => t({ name, action: (h) => mark({ id: `${name}.${h.vars.color}.${counter.of('paint', h.name)}` }) });
    const paint = role({
      name: 'paint',
      vars,
      tasks: [seen('first'), ...steps.flatMap((s, i) => (s.set ? [sf(`set${i}`, () => s.set!), seen(`after${i}`)] : [seen(`then${i}`)]))],
    });
    const frameTask = dslFor<z.output<typeof frameVars>>().task({ name: 'frame', action: (h) => mark({ id: `frame.${h.vars.color}` }) });
    const frame = role({ name: 'frame', vars: frameVars, tasks: [frameTask] });
    const pb = playbook('paint', [play({ name: 'p', hosts: 'cluster', roles: [paint, frame] })]);
    const c = fakeCluster({ cluster: ['h1', 'h2'] }, { cluster: { color: 'red' }, h1: { who: 'h1' }, h2: { who: 'h2' } });
    const run = await whileCounting(counter, () => runFake(pb, c));
    expect(run.exitCode, run.results.join('\n')).to.equal(0);
    return { seen: new Map([...c.hosts].map(([h, conn]) => [h, conn.commands])), parses: lines(counter.counts) };
  }

  it('a setFact that changes a variable: exactly one more parse of each role use that reads it afterwards', async () => {
    const { seen, parses } = await runPaint([{ set: { color: 'blue' } }, {}]);
    for (const h of ['h1', 'h2']) {
      // The plan's parse, then one for the change, none for the task after that reads the same variables.
      expect(seen.get(h), h).to.deep.equal([': first.red.1', ': after0.blue.2', ': then1.blue.2', ': frame.blue']);
    }
    // frame: its plan-time parse and one for the setFact made before its first task.
    expect(parses).to.deep.equal(each(['paint', 'frame'], ['h1', 'h2'], 2));
  });

  it('a setFact that changes nothing (the same value again, or the value the inventory gives): no parse', async () => {
    const { seen, parses } = await runPaint([{ set: { color: 'red' } }, { set: { size: 2 } }, { set: { size: 2 } }, { set: { color: 'red', size: 2 } }]);
    for (const h of ['h1', 'h2']) {
      // color: red is the inventory's value already (no parse); size: 2 changes (one); size: 2 again and
      // color: red with size: 2 change nothing (none).
      expect(seen.get(h), h).to.deep.equal([
        ': first.red.1',
        ': after0.red.1',
        ': after1.red.2',
        ': after2.red.2',
        ': after3.red.2',
        ': frame.red',
      ]);
    }
    // frame's schema has no size, but the variables it is given changed with size: 2: parsed once more.
    expect(parses).to.deep.equal(each(['paint', 'frame'], ['h1', 'h2'], 2));
  });
});
