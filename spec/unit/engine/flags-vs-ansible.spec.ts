// ansible-playbook's flags against the real ansible-playbook where their effect shows without a real run on a
// remote host: -e precedence (a debug task on a local-connection host), -u/--private-key under the inventory's
// ansible_user/ansible_ssh_private_key_file (ansible -vvv's SSH command line to a closed port on 127.0.0.1),
// -b/--become-user (who `id -un` runs as, locally), and the --list-* output of an equivalent YAML playbook.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { main, type CliIO } from '../../../engine/cli';
import { LocalConnection } from '../../../engine/connection/local';
import { sshSettings } from '../../../engine/connection/ssh-settings';
import { block, play, playbook, task } from '../../../engine/dsl';
import { defineModule } from '../../../modules/lib/define';
import { ansible, requireAnsible } from '../../support/ansible';
import { probe, probed, runFlags } from '../../support/flag-run';
import { createSudoUser } from '../../support/system-user';
import { removeTempTrees, tempTree } from '../inventory/temp-tree';

const seen = (json: string) => probe({ id: 'seen', seen: JSON.parse(json) as unknown });
const ours = runFlags;

describe('flags against the real ansible-playbook', function () {
  this.timeout(120000);
  before(function () {
    requireAnsible(this);
  });
  after(removeTempTrees);

  it('-e: key=value, JSON, @file, later ones win, over inventory and play vars: the values Ansible gives', async () => {
    const dir = tempTree({
      hosts: '[g]\nh1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3 x=inventory y=inventory\n[g:vars]\nz=group\n',
      'extra.yml': 'from_file: [1, 2]\nx: file\n',
      'play.yml': [
        '- hosts: g',
        '  gather_facts: false',
        '  vars: {x: play, y: play}',
        '  tasks:',
        "    - debug: {msg: \"{{ {'x': x, 'y': y, 'z': z, 'n': n, 'm': m, 'from_file': from_file} | to_json }}\"}",
        '',
      ].join('\n'),
    });
    const extra = ['-e', 'x=kv n=5', '-e', '{"m": 5, "z": "json"}', '-e', `@${join(dir, 'extra.yml')}`];
    const theirs = ansible('ansible-playbook', ['-i', join(dir, 'hosts'), join(dir, 'play.yml'), ...extra], {
      env: { ANSIBLE_STDOUT_CALLBACK: 'json' },
    });
    expect(theirs.status, theirs.stdout + theirs.stderr).to.equal(0);
    const result = JSON.parse(theirs.stdout) as { plays: { tasks: { hosts: Record<string, { msg: string }> }[] }[] };
    const expected = JSON.parse(result.plays[0]!.tasks[0]!.hosts.h1!.msg) as unknown;

    const pb = playbook('e', [
      play({
        name: 'p',
        hosts: 'g',
        vars: { x: 'play', y: 'play' },
        tasks: [task({ name: 'see', action: (h) => seen(JSON.stringify({ x: h.vars.x, y: h.vars.y, z: h.vars.z, n: h.vars.n, m: h.vars.m, from_file: h.vars.from_file })) })],
      }),
    ]);
    const r = await ours(pb, ['-i', join(dir, 'hosts'), ...extra]);
    expect(r.code, r.err.join('\n')).to.equal(0);
    expect(probed(r, 'h1')[0]).to.deep.equal(expected);
  });

  it('-u and --private-key are defaults: ansible_user and ansible_ssh_private_key_file win, as in Ansible', async () => {
    const dir = tempTree({
      hosts: [
        // Port 9 on 127.0.0.1: nothing listens, ssh fails at once after printing what it would use.
        'h1 ansible_host=127.0.0.1 ansible_port=9',
        'h2 ansible_host=127.0.0.1 ansible_port=9 ansible_user=bob ansible_ssh_private_key_file=/keys/h2',
        '',
      ].join('\n'),
    });
    const flags = ['-u', 'alice', '--private-key', '/keys/cli'];
    const pb = playbook('u', [play({ name: 'p', hosts: 'all', tasks: [task({ name: 't', action: seen('{}') })] })]);
    const r = await ours(pb, ['-i', join(dir, 'hosts'), ...flags]);
    expect(r.code, r.err.join('\n')).to.equal(0);
    for (const host of ['h1', 'h2']) {
      const theirs = ansible('ansible', ['-i', join(dir, 'hosts'), host, '-m', 'ping', '-vvv', ...flags]);
      const user = /ESTABLISH SSH CONNECTION FOR USER: (\S+)/.exec(theirs.stdout)?.[1];
      const key = /IdentityFile="([^"]+)"/.exec(theirs.stdout)?.[1];
      const port = /-o Port=(\d+)/.exec(theirs.stdout)?.[1];
      const { entry, options } = r.opened.get(host)!;
      const s = sshSettings(entry, options, {});
      expect([s.user, s.keyFiles[0], String(s.port)], `${host}: ${theirs.stdout}`).to.deep.equal([user, key, port]);
    }
  });

  it('-b --become-user: tasks run as that user unless the play says become: false, as in Ansible', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const user = await createSudoUser('vphab', 'nopasswd');
    try {
      const dir = tempTree({
        hosts: 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
        'play.yml': [
          '- hosts: h1',
          '  gather_facts: false',
          '  tasks: [{command: id -un, register: r}, {debug: {msg: "{{ r.stdout }}"}}]',
          '- hosts: h1',
          '  gather_facts: false',
          '  become: false',
          '  tasks: [{command: id -un, register: r}, {debug: {msg: "{{ r.stdout }}"}}]',
          '',
        ].join('\n'),
      });
      const flags = ['-b', '--become-user', user.name];
      const theirs = ansible('ansible-playbook', ['-i', join(dir, 'hosts'), join(dir, 'play.yml'), ...flags], { env: { ANSIBLE_STDOUT_CALLBACK: 'json' } });
      expect(theirs.status, theirs.stdout + theirs.stderr).to.equal(0);
      const plays = (JSON.parse(theirs.stdout) as { plays: { tasks: { hosts: { h1: { msg?: string } } }[] }[] }).plays;
      const expected = plays.map((p) => p.tasks[1]!.hosts.h1.msg);

      const whoami = defineModule<Record<string, never>, { readonly changed: boolean; readonly msg: string }>({
        name: 'whoami',
        checkMode: true,
        describe: () => 'id -un',
        async run(_p, ctx) {
          const got = await ctx.conn.exec('id -un', { become: ctx.become });
          return { changed: false, msg: got.stdout.trim() };
        },
      });
      const names: string[] = [];
      const pb = playbook('b', [
        play({ name: 'default', hosts: 'h1', tasks: [task({ name: 'who', action: whoami({}), register: 'r' }), task({ name: 'note', action: (h) => (names.push(h.registered<{ msg: string; changed: boolean }>('r')!.msg), seen('{}')) })] }),
        play({ name: 'off', hosts: 'h1', become: false, tasks: [task({ name: 'who', action: whoami({}), register: 'r' }), task({ name: 'note', action: (h) => (names.push(h.registered<{ msg: string; changed: boolean }>('r')!.msg), seen('{}')) })] }),
      ]);
      const io: CliIO = {
        out: () => undefined,
        err: () => undefined,
        env: {},
        isTTY: false,
        connect: (entry, options) => new LocalConnection(entry.name, options.becomeUser),
      };
      expect(await main(pb, ['-i', join(dir, 'hosts'), ...flags], io)).to.equal(0);
      expect(names).to.deep.equal(expected);
      expect(names).to.deep.equal([user.name, 'root']);
    } finally {
      await user.remove();
    }
  });

  it('--list-hosts, --list-tasks and --list-tags list what ansible-playbook lists for the same plays', async () => {
    const dir = tempTree({
      hosts: '[web]\nw1\nw2\n[db]\nd1\n',
      'play.yml': [
        '- name: web tier',
        '  hosts: web',
        '  tags: [web]',
        '  gather_facts: false',
        '  tasks:',
        '    - {name: install, debug: {msg: x}, tags: [packages]}',
        '    - name: configure',
        '      block:',
        '        - {name: write config, debug: {msg: x}, tags: [config]}',
        '        - {name: never unless asked, debug: {msg: x}, tags: [never, debugging]}',
        '      tags: [conf]',
        '- name: databases',
        '  hosts: db:web',
        '  gather_facts: false',
        '  tasks:',
        '    - {name: always here, debug: {msg: x}, tags: [always]}',
        '    - {name: dump, debug: {msg: x}}',
        '',
      ].join('\n'),
    });
    mkdirSync(join(dir, 'roles'), { recursive: true });
    writeFileSync(join(dir, 'ansible.cfg'), '');
    const t = (name: string, tags?: string[]) => task({ name, action: seen('{}'), ...(tags ? { tags } : {}) });
    const pb = playbook('play.yml', [
      play({
        name: 'web tier',
        hosts: 'web',
        tags: ['web'],
        tasks: [t('install', ['packages']), block({ name: 'configure', tags: ['conf'], tasks: [t('write config', ['config']), t('never unless asked', ['never', 'debugging'])] })],
      }),
      play({ name: 'databases', hosts: 'db:web', tasks: [t('always here', ['always']), t('dump')] }),
    ]);
    const fromPlays = (text: string): string[] => text.split('\n').slice(text.split('\n').findIndex((l) => l.startsWith('  play #')));
    for (const flags of [['--list-tasks'], ['--list-tasks', '--tags', 'config'], ['--list-tasks', '--skip-tags', 'web'], ['--list-tags'], ['--list-tags', '--tags', 'debugging'], ['--list-tags', '--skip-tags', 'packages'], ['--list-hosts', '--limit', 'w2:d1']]) {
      const theirs = ansible('ansible-playbook', ['-i', join(dir, 'hosts'), join(dir, 'play.yml'), ...flags]);
      expect(theirs.status, theirs.stderr).to.equal(0);
      const r = await ours(pb, ['-i', join(dir, 'hosts'), ...flags]);
      expect(r.code, r.err.join('\n')).to.equal(0);
      const expected = fromPlays(theirs.stdout.trimEnd());
      const actual = fromPlays(r.out.join('\n'));
      if (flags[0] === '--list-hosts') {
        // ansible-playbook prints each play's hosts from a Python set: compare them as sets.
        const sorted = (lines: string[]) => lines.map((l) => (/^ {6}\S/.test(l) ? 'HOST' : l)).concat(lines.filter((l) => /^ {6}\S/.test(l)).sort());
        expect(sorted(actual), flags.join(' ')).to.deep.equal(sorted(expected));
      } else {
        expect(actual, flags.join(' ')).to.deep.equal(expected);
      }
    }
  });
});
