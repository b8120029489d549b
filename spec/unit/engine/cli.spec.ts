import { expect } from 'chai';
import { z } from 'zod';
import { main, parseExtraVars, type CliIO } from '../../../engine/cli';
import { play, playbook, role, task } from '../../../engine/dsl';
import type { HostName } from '../../../engine/types';
import { FakeConnection } from '../../support/fake-connection';
import { template } from '../../../modules/template';
import { mark } from '../../support/fake-run';

const INV = 'spec/fixtures/cli/hosts.ini';

const db = role({
  name: 'mariadb',
  vars: z.object({ mariadb_replicator_password: z.string() }),
  tasks: [task({ name: 'configure replication', action: mark({ id: 'repl', changes: true }) })],
});
const pb = playbook('site', [
  play({
    name: 'cluster',
    hosts: 'cluster',
    roles: [db],
    tasks: [task({ name: 'common step', action: mark({ id: 'common' }), tags: ['common'] })],
  }),
]);

function io(extra: Partial<CliIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const hosts = new Map<string, FakeConnection>();
  const value: CliIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { VPHA_TEST: '1' },
    isTTY: false,
    connect: (e) => {
      const c = new FakeConnection(e.name as HostName).on(/^: /, {});
      hosts.set(e.name, c);
      return c;
    },
    ...extra,
  };
  return { io: value, out, err, hosts };
}

describe('cli', () => {
  it('--help lists the flags and exits 0', async () => {
    const t = io();
    expect(await main(pb, ['--help'], t.io)).to.equal(0);
    const help = t.out.join('\n');
    for (const flag of ['--inventory', '--limit', '--tags', '--skip-tags', '--check', '--diff', '--forks', '--list-tasks', '--list-hosts', '--list-tags', '--start-at-task', '--force-handlers', '--json', '--vault-password-file', '--accept-new-host-keys', '--extra-vars']) {
      expect(help).to.contain(flag);
    }
  });

  it('--list-tasks --tags prints exactly the tasks that would run, touching no host', async () => {
    const t = io();
    const code = await main(pb, ['-i', INV, '--list-tasks', '--tags', 'mariadb', '-e', 'mariadb_replicator_password=x'], t.io);
    expect(code).to.equal(0);
    expect(t.out).to.deep.equal(['playbook: site', '', '  play #1 (cluster): cluster\tTAGS: []', '    tasks:', '      mariadb : configure replication\tTAGS: [mariadb]']);
    expect(t.hosts.size).to.equal(0);
  });

  it('runs, prints an Ansible-style recap and exits 0', async () => {
    const t = io();
    const code = await main(pb, ['-i', INV, '-e', 'mariadb_replicator_password=x'], t.io);
    expect(code).to.equal(0);
    const text = t.out.join('\n');
    expect(text).to.contain('TASK [mariadb : configure replication]');
    expect(text).to.contain('changed: [vprotect1]');
    expect(text).to.match(/vprotect2 : ok=2 +changed=1 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=0/);
  });

  it('--json writes one event object per line', async () => {
    const t = io();
    await main(pb, ['-i', INV, '--json', '--limit', 'vprotect1', '-e', 'mariadb_replicator_password=x'], t.io);
    const events = t.out.map((l) => JSON.parse(l) as { type: string });
    expect(events[0]!.type).to.equal('playbook');
    expect(events.at(-1)!.type).to.equal('recap');
  });

  it('exits 1 with one clear line for an unknown --limit, a broken inventory, a missing variable, a template error', async () => {
    const cases: [string[], RegExp][] = [
      [['-i', INV, '--limit', 'vprotect9', '-e', 'mariadb_replicator_password=x'], /^ERROR: no host or group named 'vprotect9'/],
      [['-i', 'spec/fixtures/cli/broken.ini'], /^ERROR: spec\/fixtures\/cli\/broken\.ini:1: /],
      [['-i', INV], /^ERROR: invalid role variables in spec\/fixtures\/cli\/hosts\.ini:\n {2}role mariadb, host vprotect1: variable 'mariadb_replicator_password': /],
      [[], /^ERROR: no inventory: give -i DIR\|FILE/],
    ];
    for (const [argv, want] of cases) {
      const t = io();
      expect(await main(pb, argv, t.io), argv.join(' ')).to.equal(1);
      expect(t.err.join('\n')).to.match(want);
      expect(t.hosts.size).to.equal(0);
    }
    const broken = playbook('tpl', [play({ name: 'p', hosts: 'all', tasks: [task({ name: 'render', action: template({ src: 'drbd-resource', dest: '/etc/drbd.d/r.res', vars: { resource: 'r' } }) })] })]);
    const t = io();
    expect(await main(broken, ['-i', INV], t.io)).to.equal(1);
    expect(t.err.join('\n')).to.match(/^ERROR: .*templates\/drbd-resource\.hbs.*(drbd9|nodes)/);
    expect(t.hosts.size).to.equal(0);
  });

  it('exits 2 when a task fails and 4 when a host is unreachable', async () => {
    const failing = playbook('f', [play({ name: 'p', hosts: 'cluster', tasks: [task({ name: 'x', action: (h) => mark({ id: 'x', fail: h.name === 'vprotect2' }) })] })]);
    expect(await main(failing, ['-i', INV], io().io)).to.equal(2);
    const t = io();
    const down: CliIO = { ...t.io, connect: (e) => Object.assign(new FakeConnection(e.name as HostName), { unreachable: true }) };
    expect(await main(failing, ['-i', INV], down)).to.equal(4);
  });

  it('parses -e as Ansible does: key=value (strings, quotes kept together), YAML/JSON mappings, later wins; rejects junk', async () => {
    expect(await parseExtraVars(['a=1 b=two', '{"c": [1]}', "d='x y' e=\"q\\\"q\"", '{f: yes, a: 2}'])).to.deep.equal({
      a: 2,
      b: 'two',
      c: [1],
      d: 'x y',
      e: 'q"q',
      f: true,
    });
    const refused = async (items: string[]): Promise<string> => parseExtraVars(items).then(() => 'accepted', (e: Error) => e.message);
    expect(await refused(['novalue'])).to.equal("-e 'novalue': expected key=value, a YAML/JSON mapping or @file");
    expect(await refused(['[1, 2]'])).to.equal("-e '[1, 2]': extra vars must be a mapping of variables");
    expect(await refused(['./vars.yml'])).to.equal("-e './vars.yml': a file of extra vars is given as @./vars.yml");
  });
});
