import { expect } from 'chai';
import { z } from 'zod';
import { block, dslFor, flushHandlers, handler, play, playbook, role, setFact, task } from '../../../engine/dsl';
import { ConfigError } from '../../../engine/errors';
import { fakeCluster, mark, rawMark, runFake } from '../../support/fake-run';

const two = () => fakeCluster({ cluster: ['vprotect1', 'vprotect2'] });
const cmds = (c: ReturnType<typeof two>, h: string) => c.hosts.get(h)!.commands;

describe('runner: lockstep strategy', () => {
  it('finishes each task on every host before the next task starts', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          task({ name: 'one', action: (h) => mark({ id: `one-${h.name}`, delayMs: h.name === 'vprotect1' ? 30 : 0 }) }),
          task({ name: 'two', action: (h) => mark({ id: `two-${h.name}` }) }),
        ],
      }),
    ]);
    await runFake(pb, c);
    const order = c.timeline.filter((l) => l.includes(': :'));
    expect(order.slice(0, 2).every((l) => l.includes('one-'))).to.equal(true);
    expect(order.slice(2).every((l) => l.includes('two-'))).to.equal(true);
    expect(order).to.have.length(4);
  });

  it('gathers facts once per host, however many tasks run', async () => {
    const c = two();
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', tasks: ['a', 'b', 'c'].map((id) => task({ name: id, action: mark({ id }) })) })]);
    await runFake(pb, c);
    for (const h of c.hosts.values()) expect(h.ops.filter((o) => o.kind === 'exec').length - h.commands.length).to.equal(1);
  });

  it('lets a task read what another host registered (hostvars)', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          task({ name: 'reg', action: (h) => mark({ id: `pos-${h.name}` }), register: 'pos' }),
          task({
            name: 'use',
            action: (h) => {
              const peer = h.playHosts.find((x) => x !== h.name)!;
              const r = h.hostvars(peer).registered<{ changed: boolean; id: string }>('pos');
              return mark({ id: `peer-is-${r!.id}` });
            },
          }),
        ],
      }),
    ]);
    await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.include(': peer-is-pos-vprotect2');
    expect(cmds(c, 'vprotect2')).to.include(': peer-is-pos-vprotect1');
  });

  it('removes a failed host from the rest of the play and exits 2; the other host goes on', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          task({ name: 'maybe', action: (h) => mark({ id: 'x', fail: h.name === 'vprotect1' }) }),
          task({ name: 'after', action: mark({ id: 'after' }) }),
        ],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(2);
    expect(cmds(c, 'vprotect1')).to.not.include(': after');
    expect(cmds(c, 'vprotect2')).to.include(': after');
    expect(r.stats.vprotect1).to.include({ failed: 1, ok: 0 });
    expect(r.stats.vprotect2).to.include({ failed: 0, ok: 2 });
  });

  it('marks an unreachable host and exits 4, even when another host failed', async () => {
    const c = fakeCluster({ cluster: ['a', 'b', 'c'] });
    c.hosts.get('a')!.unreachable = true;
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'cluster', tasks: [task({ name: 'x', action: (h) => mark({ id: 'x', fail: h.name === 'b' }) })] }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(4);
    expect(r.stats.a).to.include({ unreachable: 1 });
    expect(r.results).to.deep.equal(['unreachable a x', 'failed b x', 'ok c x']);
  });

  it('stops every host when anyErrorsFatal and one host fails', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        anyErrorsFatal: true,
        tasks: [task({ name: 'x', action: (h) => mark({ id: 'x', fail: h.name === 'vprotect2' }) }), task({ name: 'y', action: mark({ id: 'y' }) })],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(2);
    expect(cmds(c, 'vprotect1')).to.not.include(': y');
  });

  it('runs serial batches start to end, one after the other', async () => {
    const c = fakeCluster({ cluster: ['a', 'b', 'c'] });
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'cluster', serial: 1, tasks: [task({ name: '1', action: mark({ id: 'one' }) }), task({ name: '2', action: mark({ id: 'two' }) })] }),
    ]);
    const r = await runFake(pb, c);
    expect(c.timeline.filter((l) => l.includes(': :'))).to.deep.equal(['a: : one', 'a: : two', 'b: : one', 'b: : two', 'c: : one', 'c: : two']);
    const plays = r.events.filter((e) => e.type === 'play');
    expect(plays.map((p) => (p.type === 'play' ? p.batch : undefined))).to.deep.equal([
      { index: 1, count: 3 },
      { index: 2, count: 3 },
      { index: 3, count: 3 },
    ]);
  });

  it('restricts hosts with --limit patterns and rejects unknown names before touching any host', async () => {
    const c = fakeCluster({ db: ['a', 'b'], web: ['b', 'c'] });
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', tasks: [task({ name: 'x', action: mark({ id: 'x' }) })] })]);
    expect((await runFake(pb, c, { limit: 'db:!web' })).results).to.deep.equal(['ok a x']);
    expect((await runFake(pb, fakeCluster({ db: ['a', 'b'], web: ['b', 'c'] }), { limit: 'db:&web' })).results).to.deep.equal(['ok b x']);
    const fresh = fakeCluster({ db: ['a'] });
    let err: unknown;
    try {
      await runFake(pb, fresh, { limit: 'nosuch' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.contain("'nosuch'");
    expect(fresh.hosts.get('a')!.ops).to.have.length(0);
  });
});

describe('runner: handlers', () => {
  const handlers = [
    handler({ name: 'restart b', action: mark({ id: 'h-b', changes: true }) }),
    handler({ name: 'restart a', action: mark({ id: 'h-a', changes: true }) }),
  ];

  it('runs notified handlers once per host, in definition order, at the end of the play', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        handlers,
        tasks: [
          task({ name: 't1', action: mark({ id: 't1', changes: true }), notify: ['restart a', 'restart b'] }),
          task({ name: 't2', action: mark({ id: 't2', changes: true }), notify: ['restart a'] }),
          task({ name: 't3', action: mark({ id: 't3' }) }),
        ],
      }),
    ]);
    await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': t1', ': t2', ': t3', ': h-b', ': h-a']);
  });

  it('does not run handlers notified by unchanged tasks', async () => {
    const c = two();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'cluster', handlers, tasks: [task({ name: 't1', action: (h) => mark({ id: 't1', changes: h.name === 'vprotect2' }), notify: ['restart a'] })] }),
    ]);
    await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': t1']);
    expect(cmds(c, 'vprotect2')).to.deep.equal([': t1', ': h-a']);
  });

  it('runs them at flushHandlers() and again only if notified again', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        handlers,
        tasks: [task({ name: 't1', action: mark({ id: 't1', changes: true }), notify: ['restart a'] }), flushHandlers(), task({ name: 't2', action: mark({ id: 't2' }) })],
      }),
    ]);
    await runFake(pb, c);
    expect(cmds(c, 'vprotect2')).to.deep.equal([': t1', ': h-a', ': t2']);
  });

  it('skips handlers of failed hosts unless forceHandlers', async () => {
    const make = () =>
      playbook('t', [
        play({
          name: 'p',
          hosts: 'cluster',
          handlers,
          tasks: [
            task({ name: 't1', action: mark({ id: 't1', changes: true }), notify: ['restart a'] }),
            task({ name: 'boom', action: (h) => mark({ id: 'boom', fail: h.name === 'vprotect1' }) }),
          ],
        }),
      ]);
    const c1 = two();
    await runFake(make(), c1);
    expect(cmds(c1, 'vprotect1')).to.not.include(': h-a');
    expect(cmds(c1, 'vprotect2')).to.include(': h-a');
    const c2 = two();
    await runFake(make(), c2, { forceHandlers: true });
    expect(cmds(c2, 'vprotect1')).to.include(': h-a');
  });

  it('refuses a notify naming no handler before any host is touched', async () => {
    const c = two();
    const pb = playbook('t', [play({ name: 'p', hosts: 'cluster', tasks: [task({ name: 't1', action: mark({ id: 't1' }), notify: ['nope'] })] })]);
    let err: unknown;
    await runFake(pb, c).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.equal("play 'p', task 't1' notifies 'nope', but no handler has that name or listen topic (handlers: none)");
    expect(c.hosts.get('vprotect1')!.ops).to.have.length(0);
  });
});

describe('runner: tags', () => {
  const r = role({
    name: 'mariadb',
    tags: ['mariadb'],
    vars: z.object({}),
    tasks: [
      task({ name: 'db-task', action: mark({ id: 'db' }) }),
      block({ tags: ['repl'], tasks: [task({ name: 'repl-task', action: mark({ id: 'repl' }) })] }),
    ],
  });
  const pb = playbook('t', [
    play({
      name: 'p',
      hosts: 'cluster',
      roles: [r],
      tasks: [
        task({ name: 'plain', action: mark({ id: 'plain' }) }),
        task({ name: 'always', action: mark({ id: 'always' }), tags: ['always'] }),
        task({ name: 'never', action: mark({ id: 'never' }), tags: ['never', 'debug'] }),
      ],
    }),
  ]);
  const ran = async (tags: { only?: string[]; skip?: string[] }) => {
    const c = two();
    await runFake(pb, c, { tags: { only: tags.only ?? [], skip: tags.skip ?? [] } });
    return cmds(c, 'vprotect1');
  };

  it('runs everything but never-tagged tasks by default', async () => {
    expect(await ran({})).to.deep.equal([': db', ': repl', ': plain', ': always']);
  });
  it('inherits role and block tags: --tags mariadb runs the role and always-tasks', async () => {
    expect(await ran({ only: ['mariadb'] })).to.deep.equal([': db', ': repl', ': always']);
    expect(await ran({ only: ['repl'] })).to.deep.equal([': repl', ': always']);
  });
  it('runs a never task only when one of its tags is asked for', async () => {
    expect(await ran({ only: ['debug'] })).to.deep.equal([': always', ': never']);
  });
  it('skips with --skip-tags, including always when named', async () => {
    expect(await ran({ skip: ['mariadb'] })).to.deep.equal([': plain', ': always']);
    expect(await ran({ skip: ['mariadb', 'always'] })).to.deep.equal([': plain']);
  });
  it('warns about a tag no task carries', async () => {
    const res = await runFake(pb, two(), { tags: { only: ['mariadbb'], skip: [] } });
    expect(res.events).to.deep.include({ type: 'warning', message: "tag 'mariadbb' is not used by any task of this playbook" });
  });
});

describe('runner: check mode', () => {
  it('issues no changing command, reports would-change, and skips modules without check support', async () => {
    const c = two();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'cluster', tasks: [task({ name: 'a', action: mark({ id: 'a', changes: true }) }), task({ name: 'raw', action: rawMark({ id: 'raw' }) })] }),
    ]);
    const r = await runFake(pb, c, { check: true });
    expect(cmds(c, 'vprotect1')).to.deep.equal([]);
    expect(r.results).to.deep.equal(['changed vprotect1 a', 'changed vprotect2 a', 'skipped vprotect1 raw', 'skipped vprotect2 raw']);
    expect(r.exitCode).to.equal(0);
  });

  it('a task with checkMode: false runs for real under --check, with a context that says so (ansible-playbook 2.14 runs a check_mode: false command under --check)', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'vprotect1',
        tasks: [task({ name: 'probe', action: rawMark({ id: 'probe' }), checkMode: false }), task({ name: 'a', action: mark({ id: 'a', changes: true }) })],
      }),
    ]);
    const r = await runFake(pb, c, { check: true });
    expect(cmds(c, 'vprotect1')).to.deep.equal([': probe']);
    expect(r.results).to.deep.equal(['ok vprotect1 probe', 'changed vprotect1 a']);
  });
});

describe('runner: task options', () => {
  it('runOnce runs on the first host and registers the result for all', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          task({ name: 'once', action: mark({ id: 'once' }), runOnce: true, register: 'o' }),
          task({ name: 'see', action: (h) => mark({ id: `saw-${h.registered<{ changed: boolean; id: string }>('o')!.id}` }) }),
        ],
      }),
    ]);
    await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': once', ': saw-once']);
    expect(cmds(c, 'vprotect2')).to.deep.equal([': saw-once']);
  });

  it('a failed runOnce task stops every host: the next runOnce task does not move on to another host (as Ansible)', async () => {
    // The pacemaker role's shape: build a CIB file in run-once steps delegated to one node, then push it.
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          task({ name: 'build part 1', action: mark({ id: 'part-1', fail: true }), runOnce: true, delegateTo: 'vprotect1' }),
          task({ name: 'build part 2', action: mark({ id: 'part-2' }), runOnce: true, delegateTo: 'vprotect1' }),
          task({ name: 'push', action: mark({ id: 'push' }), runOnce: true, delegateTo: 'vprotect1' }),
          task({ name: 'per host', action: mark({ id: 'after' }) }),
        ],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(2);
    expect(r.results).to.deep.equal(['failed vprotect1 build part 1']);
    expect([...cmds(c, 'vprotect1'), ...cmds(c, 'vprotect2')]).to.deep.equal([': part-1']);
    expect(r.stats.vprotect1).to.include({ failed: 1 });
    expect(r.stats.vprotect2).to.include({ failed: 0, ok: 0 });
    expect(r.events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.message : ''))).to.deep.equal([
      "run-once task 'build part 1' failed: vprotect2 stops with it",
    ]);
  });

  it('a failed runOnce task with ignoreErrors stops no one; inside a block every host goes to rescue', async () => {
    const ignored = two();
    const pb1 = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [task({ name: 'once', action: mark({ id: 'once', fail: true }), runOnce: true, ignoreErrors: true }), task({ name: 'next', action: mark({ id: 'next' }) })],
      }),
    ]);
    expect((await runFake(pb1, ignored)).exitCode).to.equal(0);
    expect(cmds(ignored, 'vprotect2')).to.deep.equal([': next']);

    const rescued = two();
    const pb2 = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          block({
            tasks: [task({ name: 'once', action: mark({ id: 'once', fail: true }), runOnce: true })],
            rescue: [task({ name: 'undo', action: (h) => mark({ id: `undo-${h.name}` }) })],
          }),
        ],
      }),
    ]);
    const r = await runFake(pb2, rescued);
    expect(r.exitCode).to.equal(0);
    expect(cmds(rescued, 'vprotect2')).to.deep.equal([': undo-vprotect2']);
    expect(r.stats.vprotect1).to.include({ failed: 0, rescued: 1 });
    expect(r.stats.vprotect2).to.include({ failed: 0, rescued: 0 });
  });

  it('delegateTo runs through the other host but with this host as the subject', async () => {
    const c = two();
    const pb = playbook('t', [play({ name: 'p', hosts: 'vprotect2', tasks: [task({ name: 'd', action: (h) => mark({ id: `for-${h.name}` }), delegateTo: 'vprotect1' })] })]);
    const r = await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': for-vprotect2']);
    expect(cmds(c, 'vprotect2')).to.deep.equal([]);
    expect(r.events.find((e) => e.type === 'result')).to.include({ host: 'vprotect2', delegatedTo: 'vprotect1' });
    // The recap has a line for the play's host only (ansible-playbook 2.14 prints none for a delegate either).
    expect(Object.keys(r.stats)).to.deep.equal(['vprotect2']);
  });

  it('loops over items and registers one result per item', async () => {
    const c = two();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'vprotect1', tasks: [task({ name: 'l', loop: ['x', 'y'], action: (_h, item: string) => mark({ id: item, changes: item === 'y' }), register: 'lr' })] }),
    ]);
    const r = await runFake(pb, c);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': x', ': y']);
    expect(r.results).to.deep.equal(['changed vprotect1 l']);
  });

  it('retries until the condition holds, then fails when attempts run out', async () => {
    const c = two();
    let n = 0;
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'vprotect1',
        tasks: [
          task({ name: 'wait', action: mark({ id: 'poll' }), until: () => ++n >= 3, retries: 5, delay: 0 }),
          task({ name: 'never', action: mark({ id: 'poll2' }), until: () => false, retries: 2, delay: 0 }),
        ],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(cmds(c, 'vprotect1').filter((x) => x === ': poll')).to.have.length(3);
    expect(cmds(c, 'vprotect1').filter((x) => x === ': poll2')).to.have.length(3);
    const failed = r.events.find((e) => e.type === 'result' && e.status === 'failed');
    expect(failed).to.include({ msg: 'condition not met after 3 attempt(s)' });
  });

  it('ignoreErrors keeps the host going and counts it as ignored', async () => {
    const c = two();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'vprotect1', tasks: [task({ name: 'f', action: mark({ id: 'f', fail: true }), ignoreErrors: true }), task({ name: 'next', action: mark({ id: 'next' }) })] }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(0);
    expect(r.stats.vprotect1).to.include({ ignored: 1, failed: 0, ok: 1 });
  });

  it('changedWhen and failedWhen decide from the result (a module error becomes rc/stderr)', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'vprotect1',
        tasks: [
          task({ name: 'c', action: mark({ id: 'c', changes: true }), changedWhen: () => false }),
          task({ name: 'f', action: mark({ id: 'f', fail: true }), failedWhen: (r) => r.rc !== 3 }),
        ],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(r.results).to.deep.equal(['ok vprotect1 c', 'ok vprotect1 f']);
  });

  it('noLog hides messages and diffs, and inventory secrets are redacted everywhere', async () => {
    const c = fakeCluster({ cluster: ['h1'] });
    (c.inventory.secrets as Set<string>).add('S3cretPass');
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        tasks: [task({ name: 'leak S3cretPass', action: mark({ id: 'S3cretPass', changes: true }) }), task({ name: 'hidden', action: mark({ id: 'x', changes: true }), noLog: true })],
      }),
    ]);
    const r = await runFake(pb, c, { verbosity: 3 });
    const text = JSON.stringify(r.events);
    expect(text).to.not.contain('S3cretPass');
    expect(text).to.contain('********');
    expect(r.events.find((e) => e.type === 'result' && e.task.name === 'hidden')).to.include({ msg: 'the output has been hidden (noLog)' });
  });

  it('rescue turns a failure into rescued; always runs either way', async () => {
    const c = two();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        tasks: [
          block({
            tasks: [task({ name: 'try', action: (h) => mark({ id: 'try', fail: h.name === 'vprotect1' }) })],
            rescue: [task({ name: 'rescue', action: mark({ id: 'rescue' }) })],
            always: [task({ name: 'always', action: mark({ id: 'always' }) })],
          }),
          task({ name: 'after', action: mark({ id: 'after' }) }),
        ],
      }),
    ]);
    const r = await runFake(pb, c);
    expect(r.exitCode).to.equal(0);
    expect(cmds(c, 'vprotect1')).to.deep.equal([': try', ': rescue', ': always', ': after']);
    expect(cmds(c, 'vprotect2')).to.deep.equal([': try', ': always', ': after']);
    expect(r.stats.vprotect1).to.include({ failed: 0, rescued: 1 });
  });

  it('setFact values are visible to later tasks, above inventory vars', async () => {
    const c = fakeCluster({ cluster: ['h1'] }, { h1: { color: 'red' } });
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        tasks: [setFact('paint', () => ({ color: 'blue' })), task({ name: 'use', action: (h) => mark({ id: String(h.vars.color) }) })],
      }),
    ]);
    await runFake(pb, c);
    expect(c.hosts.get('h1')!.commands).to.deep.equal([': blue']);
  });

  it('--start-at-task skips everything before the named task', async () => {
    const c = two();
    const pb = playbook('t', [play({ name: 'p', hosts: 'vprotect1', tasks: ['a', 'b', 'c'].map((id) => task({ name: id, action: mark({ id }) })) })]);
    await runFake(pb, c, { startAtTask: 'b' });
    expect(cmds(c, 'vprotect1')).to.deep.equal([': b', ': c']);
  });
});

describe('runner: typed role variables', () => {
  const vars = z.object({ vip: z.ipv4(), count: z.number().int().default(2) });
  const { task: t } = dslFor<z.output<typeof vars>>();
  const r = role({ name: 'net', vars, tasks: [t({ name: 'use', action: (h) => mark({ id: `${h.vars.vip}/${h.vars.count}` }) })] });
  const pb = playbook('t', [play({ name: 'p', hosts: 'cluster', roles: [r] })]);

  it('gives tasks the validated variables with defaults', async () => {
    const c = fakeCluster({ cluster: ['h1'] }, { cluster: { vip: '198.18.0.100' } });
    await runFake(pb, c);
    expect(c.hosts.get('h1')!.commands).to.deep.equal([': 198.18.0.100/2']);
  });

  it('stops before touching any host when a variable is missing or wrong, naming it', async () => {
    const c = fakeCluster({ cluster: ['h1'] }, { h1: { vip: '10.40.1.300' } });
    let err: unknown;
    await runFake(pb, c).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/role net, host h1: variable 'vip': .*\(set at spec-inventory:h1\)/);
    expect(c.hosts.get('h1')!.ops).to.have.length(0);
    const c2 = fakeCluster({ cluster: ['h1'] });
    await runFake(pb, c2).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.contain("role net, host h1: variable 'vip':");
    expect((err as Error).message).to.contain('set it in group_vars/ or host_vars/');
  });
});
