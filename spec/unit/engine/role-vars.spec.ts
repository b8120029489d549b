// A role's schema is parsed once per host and role use for a whole run (plan checks, preflight and every
// task included), and again only after a setFact changed that host's variables.
import { expect } from 'chai';
import YAML from 'yaml';
import { z } from 'zod';
import type { AnyRole, Playbook, RoleUse } from '../../../engine/dsl';
import { dslFor, play, playbook, role, setFact } from '../../../engine/dsl';
import type { RunEvent } from '../../../engine/runner/events';
import { site } from '../../../playbooks/site';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';
import { fakeCluster, mark, runFake } from '../../support/fake-run';
import { siteCluster } from '../../support/site-host';

/** The playbook with each role's validate() counted, per role name. */
function countingParses(pb: Playbook): { readonly pb: Playbook; readonly parses: Map<string, number> } {
  const parses = new Map<string, number>();
  const counted = (r: AnyRole): AnyRole => ({
    ...r,
    validate: (input) => {
      parses.set(r.name, (parses.get(r.name) ?? 0) + 1);
      return r.validate(input);
    },
  });
  const plays = pb.plays.map((p) => ({ ...p, roles: p.roles.map((use): RoleUse => ({ ...use, role: counted(use.role) })) }));
  return { pb: { ...pb, plays }, parses };
}

describe('runner: role variables are parsed once per host and role use', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('site.ts on a fake pair: one parse per host and role, for a run of every task', async () => {
    const { pb, parses } = countingParses(site);
    const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(SITE_GROUP_VARS) });
    const cluster = siteCluster();
    const run = await runMain(pb, ['-i', dir, '--json'], { host: (e) => cluster.host(e.name) });
    const events = run.out.map((l) => JSON.parse(l) as RunEvent);
    expect(run.code, run.err.join('\n')).to.equal(0);
    const roles = site.plays[0]!.roles.map((u) => u.role.name);
    // Every role ran tasks on both hosts: the count is over a real run, not over a run that stopped early.
    for (const name of roles) {
      const hosts = new Set(events.flatMap((e) => (e.type === 'result' && e.task.role === name ? [e.host] : [])));
      expect([...hosts].sort(), name).to.deep.equal(['vprotect1', 'vprotect2']);
    }
    expect(Object.fromEntries(parses)).to.deep.equal(Object.fromEntries(roles.map((name) => [name, 2])));
  });

  it('parses again after a setFact that changes a value, not after one that sets the same value', async () => {
    const vars = z.object({ color: z.string().default('red'), size: z.number().default(1) });
    const { task: t, setFact: sf } = dslFor<z.output<typeof vars>>();
    const paint = role({
      name: 'paint',
      vars,
      tasks: [
        t({ name: 'before', action: (h) => mark({ id: `${h.vars.color}-${h.vars.size}` }) }),
        sf('recolor', () => ({ color: 'blue' })),
        t({ name: 'after', action: (h) => mark({ id: `${h.vars.color}-${h.vars.size}` }) }),
        sf('recolor again, the same', () => ({ color: 'blue' })),
        t({ name: 'last', action: (h) => mark({ id: `${h.vars.color}-${h.vars.size}` }) }),
      ],
    });
    const { pb, parses } = countingParses(
      playbook('t', [play({ name: 'p', hosts: 'cluster', preTasks: [setFact('grow', () => ({ size: 2 }))], roles: [paint] })]),
    );
    const c = fakeCluster({ cluster: ['h1', 'h2'] });
    const run = await runFake(pb, c);
    expect(run.exitCode).to.equal(0);
    for (const h of ['h1', 'h2']) expect(c.hosts.get(h)!.commands).to.deep.equal([': red-2', ': blue-2', ': blue-2']);
    // 2 hosts: the plan's parse, one after 'grow' (pre_tasks) and one after 'recolor'; none after the same value.
    expect(parses.get('paint')).to.equal(2 * 3);
  });
});
