// ansible-playbook's flags on fake hosts: listing reads no secret, --syntax-check, --step, -b, -u/-k/-K/
// --private-key/--become-user as connection defaults, -e in all its forms, several -i.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { sshSettings } from '../../../engine/connection/ssh-settings';
import { play, playbook, task } from '../../../engine/dsl';
import type { HostEntry } from '../../../engine/inventory/types';
import type { HostName } from '../../../engine/types';
import { site } from '../../../playbooks/site';
import { probe, probed, runFlags, type FlagRun } from '../../support/flag-run';
import { removeTempTrees, tempTree } from '../inventory/temp-tree';

const run = runFlags;

const commands = (r: FlagRun, host: string): string[] => r.hosts.get(host)?.commands ?? [];

describe('cli flags (ansible-playbook names and meanings)', () => {
  after(removeTempTrees);

  it('--list-hosts/--list-tasks/--list-tags/--syntax-check of site.ts on inventory/prod need no secret (its !env values are unset)', async () => {
    for (const flag of ['--list-hosts', '--list-tasks', '--list-tags', '--syntax-check']) {
      const r = await run(site, ['-i', 'inventory/prod', flag, '--no-type-check']);
      expect(r.code, `${flag}: ${r.err.join('\n')}`).to.equal(0);
      expect(r.hosts.size).to.equal(0);
      expect(r.asked).to.deep.equal([]);
    }
    const hosts = await run(site, ['-i', 'inventory/prod', '--list-hosts', '--no-type-check']);
    expect(hosts.out.join('\n')).to.contain('    hosts (2):\n      vprotect1\n      vprotect2');
    const syntax = await run(site, ['-i', 'inventory/prod', '--syntax-check', '--no-type-check']);
    expect(syntax.out).to.deep.equal(['', 'playbook: site']);
    // A run needs them, and says which one is missing before touching any host.
    const real = await run(site, ['-i', 'inventory/prod', '--check', '--no-type-check']);
    expect(real.code).to.equal(1);
    expect(real.err.join('\n')).to.match(/^ERROR: inventory\/prod\/group_vars\/all\.yml:\d+: hacluster_password: environment variable VPHA_HACLUSTER_PASSWORD is not set/);
    expect(real.hosts.size).to.equal(0);
  });

  it('--syntax-check type-checks even with --no-type-check', async () => {
    let checked = 0;
    const typeCheck = () => (checked++, { ok: false as const, report: 'site.ts(1,1): error TS1: broken' });
    const r = await run(site, ['-i', 'inventory/prod', '--syntax-check', '--no-type-check'], { typeCheck });
    expect([r.code, checked]).to.deep.equal([1, 1]);
    expect(r.err[0]).to.equal('site.ts(1,1): error TS1: broken');
  });

  const three = playbook('three', [
    play({
      name: 'p',
      hosts: 'all',
      tasks: [
        task({ name: 'one', action: probe({ id: 'one', seen: 1 }) }),
        task({ name: 'two', action: probe({ id: 'two', seen: 2 }) }),
        task({ name: 'three', action: probe({ id: 'three', seen: 3 }) }),
        task({ name: 'four', action: probe({ id: 'four', seen: 4 }) }),
      ],
    }),
  ]);

  it('--step asks before each task: n skips it, y runs it, c runs it and all after it without asking', async () => {
    const inv = tempTree({ hosts: 'h1\n' });
    const answers = ['n', 'y', 'c'];
    const questions: string[] = [];
    const r = await run(three, ['-i', inv, '--step'], { ask: async (q) => (questions.push(q), answers.shift() ?? 'n') });
    expect(r.code, r.err.join('\n')).to.equal(0);
    expect(questions).to.deep.equal([
      'Perform task: TASK: one (N)o/(y)es/(c)ontinue: ',
      'Perform task: TASK: two (N)o/(y)es/(c)ontinue: ',
      'Perform task: TASK: three (N)o/(y)es/(c)ontinue: ',
    ]);
    expect(commands(r, 'h1').map((c) => c.split(' ')[1])).to.deep.equal(['two', 'three', 'four']);
  });

  it('--step without a terminal refuses before touching a host', async () => {
    const inv = tempTree({ hosts: 'h1\n' });
    const r = await run(three, ['-i', inv, '--step']);
    expect(r.code).to.equal(1);
    expect(r.err).to.deep.equal(['ERROR: --step asks before each task and needs a terminal on stdin']);
    expect(r.hosts.size).to.equal(0);
  });

  it('-b makes become the default; a play, block or task that says become: false keeps it off', async () => {
    const inv = tempTree({ hosts: 'h1\n' });
    const pb = playbook('b', [
      play({ name: 'default', hosts: 'all', tasks: [task({ name: 'a', action: probe({ id: 'a', seen: 0 }) }), task({ name: 'b', become: false, action: probe({ id: 'b', seen: 0 }) })] }),
      play({ name: 'off', hosts: 'all', become: false, tasks: [task({ name: 'c', action: probe({ id: 'c', seen: 0 }) })] }),
    ]);
    const withB = await run(pb, ['-i', inv, '-b']);
    expect(commands(withB, 'h1').map((c) => c.split(' ').slice(1, 3).join(' '))).to.deep.equal(['a become=true', 'b become=false', 'c become=false']);
    const without = await run(pb, ['-i', inv]);
    expect(commands(without, 'h1').map((c) => c.split(' ')[2])).to.deep.equal(['become=false', 'become=false', 'become=false']);
  });

  it('-u, --private-key, -k, -K and --become-user are defaults under the inventory\'s own connection variables', async () => {
    const inv = tempTree({ hosts: 'h1\nh2 ansible_user=bob ansible_ssh_private_key_file=/keys/h2 ansible_password=inv-pw ansible_become_user=svc\n' });
    const r = await run(three, ['-i', inv, '-u', 'alice', '--private-key', '/keys/cli', '-k', '-K', '--become-user', 'postgres']);
    expect(r.code, r.err.join('\n')).to.equal(0);
    expect(r.asked).to.deep.equal(['SSH password: ', 'BECOME password[defaults to SSH password]: ']);
    const o = r.opened.get('h1')!.options;
    expect(o).to.deep.include({ user: 'alice', privateKeyFile: '/keys/cli', password: 'ssh-pw', becomePassword: 'ssh-pw', becomeUser: 'postgres' });
    const entry = (name: string, vars: Record<string, unknown>): HostEntry => ({ name: name as HostName, vars, groups: ['all'] });
    const h1 = sshSettings(entry('h1', {}), o, {});
    const h2 = sshSettings(entry('h2', { ansible_user: 'bob', ansible_ssh_private_key_file: '/keys/h2', ansible_password: 'inv-pw', ansible_become_user: 'svc' }), o, {});
    expect([h1.user, h1.keyFiles, h1.password, h1.becomePassword, h1.becomeUser]).to.deep.equal(['alice', ['/keys/cli'], 'ssh-pw', 'ssh-pw', 'postgres']);
    expect([h2.user, h2.keyFiles, h2.password, h2.becomeUser]).to.deep.equal(['bob', ['/keys/h2'], 'inv-pw', 'svc']);
    // Listing asks for nothing.
    expect((await run(three, ['-i', inv, '-k', '-K', '--list-hosts'])).asked).to.deep.equal([]);
  });

  it('-e: key=value strings, YAML/JSON, @file, later ones win, above inventory and play vars', async () => {
    const inv = tempTree({ hosts: '[g]\nh1 x=inventory y=inventory\n[g:vars]\nz=group\n', 'extra.yml': 'from_file: [1, 2]\nx: file\n' });
    const pb = playbook('e', [
      play({
        name: 'p',
        hosts: 'all',
        vars: { y: 'play', x: 'play' },
        tasks: [task({ name: 'see', action: (h) => probe({ id: 'see', seen: { x: h.vars.x, y: h.vars.y, z: h.vars.z, n: h.vars.n, m: h.vars.m, from_file: h.vars.from_file } }) })],
      }),
    ]);
    const r = await run(pb, ['-i', join(inv, 'hosts'), '-e', 'x=kv n=5', '-e', '{"m": 5, "z": "json"}', '-e', `@${join(inv, 'extra.yml')}`]);
    expect(r.code, r.err.join('\n')).to.equal(0);
    expect(probed(r, 'h1')[0]).to.deep.equal({ x: 'file', y: 'play', z: 'json', n: '5', m: 5, from_file: [1, 2] });
  });

  it("a play on localhost runs on Ansible's implicit localhost (local connection, the all vars) when the inventory has none", async () => {
    const inv = tempTree({ hosts: '[web]\nw1\n[all:vars]\nshared=yes\n' });
    const pb = playbook('local', [play({ name: 'here', hosts: 'localhost', tasks: [task({ name: 't', action: (h) => probe({ id: 't', seen: h.vars.shared }) })] })]);
    const r = await run(pb, ['-i', inv]);
    expect(r.code, r.err.join('\n')).to.equal(0);
    expect([...r.opened.keys()]).to.deep.equal(['localhost']);
    expect(r.opened.get('localhost')!.entry.vars).to.deep.include({ ansible_connection: 'local', shared: 'yes' });
    expect(probed(r, 'localhost')).to.deep.equal(['yes']);
    const all = await run(pb, ['-i', inv, '--list-hosts']);
    expect(all.out.join('\n')).to.contain('hosts (1):\n      localhost');
  });

  it('takes several -i sources, later ones extending earlier ones', async () => {
    const a = tempTree({ hosts: '[web]\nw1\n' });
    const b = tempTree({ 'hosts.yml': 'web:\n  hosts:\n    w2:\n' });
    writeFileSync(join(b, 'unused.txt'), 'ignored\n');
    const r = await run(three, ['-i', a, '-i', join(b, 'hosts.yml'), '--list-hosts']);
    expect(r.out.join('\n')).to.contain('hosts (2):\n      w1\n      w2');
  });
});
