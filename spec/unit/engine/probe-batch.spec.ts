// Probe batches (engine/runner/probe-batch.ts) on fake hosts that record every command: the state of
// consecutive tasks read in one command per host, only the tasks whose state differs run, and every
// semantic that crosses tasks (registered results, hostvars, facts, handlers, blocks, check and diff
// output, -v, timeouts, unreachable hosts, failures) as without batches. The reference "without batches"
// is the same tasks with a flushHandlers() between each: a flush ends a batch and, with nothing notified,
// emits nothing.
import { expect } from 'chai';
import * as path from 'node:path';
import { parse } from 'shell-quote';
import { block, flushHandlers, handler, play, playbook, setFact, task, type Node, type Vars } from '../../../engine/dsl';
import type { RunEvent } from '../../../engine/runner/events';
import type { FakeConnection } from '../../support/fake-connection';
import { splitSectionsScript } from '../../../engine/connection/framing';
import { FACTS_SCRIPT } from '../../../engine/facts';
import { command } from '../../../modules/command';
import { copy } from '../../../modules/copy';
import { lineinfile } from '../../../modules/lineinfile';
import { assertThat } from '../../../modules/assert';
import { blockinfile } from '../../../modules/blockinfile';
import { hostsEntry } from '../../../modules/hosts_entry';
import { iniFile } from '../../../modules/ini_file';
import { service } from '../../../modules/service';
import { shell } from '../../../modules/shell';
import { template } from '../../../modules/template';
import { BENCH_DIR, workload } from '../../../bench/workload';
import { fakeFs, isFileState, puts } from '../../support/fake-files';
import { fakeCluster, runFake, type FakeCluster, type FakeRun } from '../../support/fake-run';

/** Fake hosts with a filesystem (under /srv and BENCH_DIR's parent) whose guarded commands create what they guard. */
function cluster(names: readonly string[] = ['vprotect1', 'vprotect2'], dirs: Record<string, number> = {}): FakeCluster {
  const c = fakeCluster({ cluster: names });
  for (const h of c.hosts.values()) {
    const fsx = fakeFs(h, { dirs: { '/srv': 0o755, '/srv/dir': 0o755, ...dirs } });
    // `if [ -e CREATES ]; then ...; fi\nARGV`: the fake runs it by creating CREATES (a directory for mkdir).
    h.on(/^if \[ -e /, (cmd, _o, host) => {
      const creates = parse(/^if \[ -e (.*?) \]/.exec(cmd)![1]!)[0] as string;
      if (/\nmkdir /.test(cmd)) fsx.dirs.set(creates, { mode: 0o755, owner: 'root', group: 'root' });
      else host.file(creates, '');
      return {};
    });
  }
  return c;
}

const execs = (h: FakeConnection): string[] => h.ops.flatMap((o) => (o.kind === 'exec' ? [o.cmd] : []));
const rounds = (h: FakeConnection): string[] => execs(h).filter((c) => splitSectionsScript(c));
const host = (c: FakeCluster, name = 'vprotect1'): FakeConnection => c.hosts.get(name)!;
const statuses = (r: FakeRun, h = 'vprotect1'): string[] => r.results.filter((x) => x.split(' ')[1] === h).map((x) => `${x.split(' ')[0]} ${x.split(' ').slice(2).join(' ')}`);
const pb = (tasks: Node<Vars>[], extra: Partial<Parameters<typeof play>[0]> = {}) => playbook('t', [play({ name: 'p', hosts: 'cluster', tasks, ...extra })]);
/** The same tasks with a flush between each: no batches. */
const unbatched = (tasks: Node<Vars>[]): Node<Vars>[] => tasks.flatMap((t) => [t, flushHandlers()]);
/** Each task event with its results, without timings, the hosts in name order (they run at once). */
function shown(events: readonly RunEvent[]): unknown[] {
  const out: { task: RunEvent; results: RunEvent[] }[] = [];
  for (const e of events) {
    if (e.type === 'task') out.push({ task: e, results: [] });
    else if (e.type === 'result') out.at(-1)!.results.push({ ...e, durationMs: 0 });
  }
  const hostOf = (e: RunEvent): string => (e.type === 'result' ? e.host : '');
  return out.map((t) => ({ ...t, results: t.results.sort((a, b) => hostOf(a).localeCompare(hostOf(b))) }));
}

const TEMPLATE = path.join(__dirname, '..', '..', '..', 'bench', 'templates', 'workload.conf.hbs');

const copyTo = (name: string, content = `${name}\n`) => task({ name, action: copy({ dest: `/srv/${name}`, content, mode: '0644' }) });

describe('probe batches: one command reads the state of consecutive tasks', () => {
  it("workload (a)'s no-op rerun sends one command per host, the facts in it", async () => {
    const c = cluster();
    const first = await runFake(workload, c);
    expect(first.exitCode).to.equal(0);
    for (const h of ['vprotect1', 'vprotect2']) expect(first.stats[h]).to.include({ changed: 20, failed: 0 });
    const since = new Map([...c.hosts].map(([n, h]) => [n, h.ops.length]));
    const rerun = await runFake(workload, c);
    for (const [name, h] of c.hosts) {
      const ops = h.ops.slice(since.get(name));
      expect(ops.map((o) => o.kind), name).to.deep.equal(['exec']);
      const round = splitSectionsScript((ops[0] as { cmd: string }).cmd)!;
      expect(round.parts[0], 'the facts come first').to.equal(FACTS_SCRIPT);
      expect(round.parts.slice(1).filter(isFileState), 'every file of the 20 tasks in one file state script').to.have.length(1);
      expect(rerun.stats[name]).to.include({ ok: 20, changed: 0 });
    }
  });

  it('a changing task in the middle: the tasks after it are read again (a command may change anything)', async () => {
    const c = cluster();
    await runFake(workload, c);
    for (const h of c.hosts.values()) h.files.delete(`${BENCH_DIR}/command3.txt`);
    const before = execs(host(c)).length;
    const r = await runFake(workload, c);
    const mine = execs(host(c)).slice(before);
    expect(mine.map((x) => (splitSectionsScript(x) ? 'round' : x.split('\n').at(-1)))).to.deep.equal(['round', `cp /etc/os-release ${BENCH_DIR}/command3.txt`, 'round']);
    expect(mine[2], 'read again from the next task on').to.include(`${BENCH_DIR}/command4.stamp`).and.not.include(`${BENCH_DIR}/command3.txt`);
    expect(statuses(r).filter((s) => s.startsWith('changed'))).to.deep.equal(['changed command 3']);
  });

  it('lineinfile tasks on one file: a change by one is read again by the next, no edit is lost', async () => {
    const c = cluster();
    const edits = [1, 2, 3].map((i) => task({ name: `key${i}`, action: lineinfile({ path: '/srv/settings.conf', regexp: `^key${i}=`, line: `key${i}=v${i}`, create: true }) }));
    const r = await runFake(pb(edits), c);
    expect(statuses(r)).to.deep.equal(['changed key1', 'changed key2', 'changed key3']);
    expect(host(c).files.get('/srv/settings.conf')!.content.toString()).to.equal('key1=v1\nkey2=v2\nkey3=v3\n');
    expect(rounds(host(c)), 'each write made the next read stale').to.have.length(3);
    host(c).file('/srv/settings.conf', 'key1=v1\nkey2=old\nkey3=v3\n');
    const again = await runFake(pb(edits), c);
    expect(statuses(again)).to.deep.equal(['ok key1', 'changed key2', 'ok key3']);
    expect(host(c).files.get('/srv/settings.conf')!.content.toString()).to.equal('key1=v1\nkey2=v2\nkey3=v3\n');
  });

  it('a write elsewhere leaves the later answers standing: one command, then only the put', async () => {
    const c = cluster();
    const tasks = ['a', 'b', 'c'].map((n) => copyTo(n));
    await runFake(pb(tasks), c);
    host(c).file('/srv/b', 'old\n', { mode: 0o644 });
    const before = host(c).ops.length;
    const r = await runFake(pb(tasks), c);
    expect(host(c).ops.slice(before).map((o) => o.kind)).to.deep.equal(['exec', 'put']);
    expect(statuses(r)).to.deep.equal(['ok a', 'changed b', 'ok c']);
  });

  it('a symlinked path counts as the file it points to: writing through it makes the real file read again', async () => {
    const c = cluster();
    const tasks = [copyTo('link', 'one\n'), task({ name: 'real', action: lineinfile({ path: '/srv/real', line: 'two' }) })];
    for (const h of c.hosts.values()) h.file('/srv/real', 'zero\n', { mode: 0o644 });
    fakeFs(host(c), { dirs: { '/srv': 0o755 }, links: { '/srv/link': '/srv/real' } });
    const r = await runFake(pb(tasks), c, { limit: 'vprotect1' });
    expect(statuses(r)).to.deep.equal(['changed link', 'changed real']);
    expect(host(c).files.get('/srv/real')!.content.toString()).to.equal('one\ntwo\n');
  });
});

describe('probe batches: what ends a round or a batch', () => {
  it('a task reading a result registered earlier in the round waits for its turn', async () => {
    const c = cluster();
    const tasks = [
      task({ name: 'a', action: copy({ dest: '/srv/a', content: 'a\n' }), register: 'a' }),
      task({ name: 'b', when: (h) => h.registered('a')?.changed === true, action: (h) => copy({ dest: '/srv/b', content: `after ${h.registered('a')!.msg}\n` }) }),
      copyTo('c'),
    ];
    const r = await runFake(pb(tasks), c);
    expect(statuses(r)).to.deep.equal(['changed a', 'changed b', 'changed c']);
    expect(host(c).files.get('/srv/b')!.content.toString()).to.equal('after created /srv/a\n');
    expect(rounds(host(c)).map((x) => ['/srv/a', '/srv/b', '/srv/c'].filter((p) => x.includes(p)))).to.deep.equal([['/srv/a'], ['/srv/b', '/srv/c']]);
    const rerun = await runFake(pb(tasks), c);
    expect(statuses(rerun)).to.deep.equal(['ok a', 'skipped b', 'ok c']);
  });

  it("another host's registered result (hostvars) is read at the task's turn", async () => {
    const c = cluster();
    const tasks = [
      task({ name: 'a', action: (h) => copy({ dest: '/srv/a', content: `${h.name}\n` }), register: 'a' }),
      task({
        name: 'b',
        action: (h) => copy({ dest: '/srv/b', content: `peer: ${h.hostvars(h.playHosts.find((x) => x !== h.name)!).registered('a')?.msg ?? 'nothing yet'}\n` }),
      }),
    ];
    await runFake(pb(tasks), c);
    expect(host(c).files.get('/srv/b')!.content.toString()).to.equal('peer: created /srv/a\n');
  });

  it("a task whose `when` reads facts: the facts first, then one command for it and the rest", async () => {
    const c = cluster();
    const tasks = [task({ name: 'a', when: (h) => h.facts.os.family === 'Debian', action: copy({ dest: '/srv/a', content: 'a\n' }) }), copyTo('b')];
    await runFake(pb(tasks), c);
    const before = execs(host(c)).length;
    await runFake(pb(tasks), c);
    expect(execs(host(c)).slice(before).map((x) => (x === FACTS_SCRIPT ? 'facts' : splitSectionsScript(x) ? 'round' : x))).to.deep.equal(['facts', 'round']);
  });

  const boundaries: Record<string, Node<Vars>> = {
    runOnce: task({ name: 'x', runOnce: true, action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    delegateTo: task({ name: 'x', delegateTo: 'vprotect2', action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    loop: task({ name: 'x', loop: ['x'], action: (_h, i) => copy({ dest: `/srv/${i}`, content: 'x\n' }) }),
    'until/retries': task({ name: 'x', retries: 1, delay: 0, until: () => true, action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    noLog: task({ name: 'x', noLog: true, action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    'a change of become': task({ name: 'x', become: true, action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    'a task timeout': task({ name: 'x', timeout: 30, action: copy({ dest: '/srv/x', content: 'x\n' }) }),
    setFact: setFact('x', () => ({ x: 1 })),
    flushHandlers: flushHandlers(),
    block: block({ tasks: [copyTo('x')] }),
  };
  for (const [what, step] of Object.entries(boundaries)) {
    it(`${what} ends a batch: the tasks before and after it are read apart`, async () => {
      const c = cluster();
      const tasks = [copyTo('a'), step, copyTo('c')];
      await runFake(pb(tasks), c);
      const r = await runFake(pb(tasks), c);
      expect(r.exitCode).to.equal(0);
      const reads = execs(host(c)).filter((x) => x.includes('/srv/a') || x.includes('/srv/c'));
      expect(reads.some((x) => x.includes('/srv/a') && x.includes('/srv/c')), 'one command for both').to.equal(false);
    });
  }

  it('a task without a probe (a command without creates) ends the round; the batch goes on after it', async () => {
    const c = cluster();
    for (const h of c.hosts.values()) h.on(/^touch /, {});
    const tasks = [copyTo('a'), task({ name: 'x', action: command({ argv: ['touch', '/srv/x'] }) }), copyTo('c'), copyTo('d')];
    await runFake(pb(tasks), c);
    const before = execs(host(c)).length;
    await runFake(pb(tasks), c);
    expect(execs(host(c)).slice(before).map((x) => (splitSectionsScript(x) ? 'round' : x))).to.deep.equal(['round', "touch /srv/x", 'round']);
  });

  it('handlers: a batched task that changed notifies; the handler runs at the flush', async () => {
    const c = cluster();
    for (const h of c.hosts.values()) h.on(/^touch \/srv\/restarted/, {});
    const p = playbook('t', [
      play({
        name: 'p',
        hosts: 'cluster',
        handlers: [handler({ name: 'restart', action: command({ argv: ['touch', '/srv/restarted'] }) })],
        tasks: [task({ name: 'a', action: copy({ dest: '/srv/a', content: 'a\n' }), notify: ['restart'] }), copyTo('b')],
      }),
    ]);
    const r = await runFake(p, c);
    expect(statuses(r)).to.deep.equal(['changed a', 'ok b', 'changed restart'].map((s) => (s === 'ok b' ? 'changed b' : s)));
    const rerun = await runFake(p, c);
    expect(statuses(rerun)).to.deep.equal(['ok a', 'ok b']);
  });

  it('a block: its tasks batch among themselves; a failure in them is rescued, the message as without batches', async () => {
    const inBlock = [copyTo('a'), task({ name: 'dir', action: copy({ dest: '/srv/dir', content: 'x' }) }), copyTo('never')];
    const withBlock = (tasks: Node<Vars>[]) => pb([block({ tasks, rescue: [copyTo('rescued')], always: [copyTo('always')] })]);
    const batched = await runFake(withBlock(inBlock), cluster());
    const reference = await runFake(withBlock(unbatched(inBlock)), cluster());
    expect(shown(batched.events)).to.deep.equal(shown(reference.events));
    expect(statuses(batched)).to.deep.equal(['changed a', 'failed dir', 'changed rescued', 'changed always']);
    const failed = batched.events.find((e) => e.type === 'result' && e.status === 'failed');
    expect(failed).to.deep.include({ host: 'vprotect1', msg: '/srv/dir on vprotect1 is a directory, not a regular file' });
    expect(batched.stats.vprotect1).to.include({ rescued: 1, failed: 0 });
  });
});

describe('probe batches: what other tasks change before a task\'s turn', () => {
  // vprotect2's `push` writes vprotect1's /srv/b (as scp, pcs or a failover would) while vprotect1, which has
  // nothing to do at that task, has already read /srv/b ahead.
  const pushing = (): FakeCluster => {
    const c = cluster();
    for (const h of c.hosts.values()) h.file('/srv/b', 'old\n', { mode: 0o644 });
    host(c, 'vprotect2').file('/srv/pending', '');
    host(c, 'vprotect2').on(/(^|\n)push$/, () => (host(c).file('/srv/b', 'pushed\n', { mode: 0o644 }), {}));
    return c;
  };
  const pushes: Record<string, Node<Vars>> = {
    'skipped here': task({ name: 'push', when: (h) => h.name === 'vprotect2', action: command({ argv: ['push'] }) }),
    'with nothing to do here': task({ name: 'push', action: shell({ cmd: 'push', removes: '/srv/pending' }) }),
  };
  for (const [what, push] of Object.entries(pushes)) {
    it(`a command ${what} that runs on another host makes this host's later answers stale: no edit is lost`, async () => {
      const tasks = [copyTo('a'), push, task({ name: 'b', action: lineinfile({ path: '/srv/b', line: 'local' }) })];
      const [b, r] = [pushing(), pushing()];
      const batched = await runFake(pb(tasks), b);
      const reference = await runFake(pb(unbatched(tasks)), r);
      expect(host(b).files.get('/srv/b')!.content.toString()).to.equal('pushed\nlocal\n');
      expect(shown(batched.events)).to.deep.equal(shown(reference.events));
      expect(rounds(host(b)), 'read again at its turn').to.have.length(2);
    });
  }

  it("a file another host writes: the same path's answers are read again (hosts may share files)", async () => {
    const c = cluster();
    // vprotect2's writes to /srv/shared land on vprotect1 too (an NFS export, or both names for one machine).
    const v2 = host(c, 'vprotect2');
    const put = v2.put.bind(v2);
    v2.put = async (p, content, o) => {
      await put(p, content, o);
      if (p === '/srv/shared') host(c).file(p, content.toString(), { mode: 0o644 });
    };
    const tasks = [
      task({ name: 'write', when: (h) => h.name === 'vprotect2', action: copy({ dest: '/srv/shared', content: 'from vprotect2\n', mode: '0644' }) }),
      task({ name: 'edit', when: (h) => h.name === 'vprotect1', action: lineinfile({ path: '/srv/shared', line: 'vprotect1 was here', create: true }) }),
    ];
    const r = await runFake(pb(tasks), c);
    expect(statuses(r)).to.deep.equal(['skipped write', 'changed edit']);
    expect(host(c).files.get('/srv/shared')!.content.toString()).to.equal('from vprotect2\nvprotect1 was here\n');
  });

  it('a unit file copied in before a service task: the unit is read again (systemd finds it then)', async () => {
    const unit = '/etc/systemd/system/vpha-x.service';
    const make = (): FakeCluster => {
      const c = cluster(undefined, { '/etc/systemd': 0o755, '/etc/systemd/system': 0o755 });
      for (const h of c.hosts.values()) {
        let active = 'inactive';
        h.on('systemctl show -p LoadState,ActiveState,UnitFileState -- vpha-x', () => ({
          stdout: h.files.has(unit) ? `LoadState=loaded\nActiveState=${active}\nUnitFileState=static\n` : 'LoadState=not-found\nActiveState=inactive\nUnitFileState=\n',
        }));
        h.on('systemctl start -- vpha-x', () => ((active = 'active'), {}));
      }
      return c;
    };
    const tasks = [
      task({ name: 'unit', action: copy({ dest: unit, content: '[Service]\nExecStart=/bin/true\n', mode: '0644' }) }),
      task({ name: 'start', action: service({ name: 'vpha-x', state: 'started' }) }),
    ];
    const [b, r] = [make(), make()];
    const batched = await runFake(pb(tasks), b);
    const reference = await runFake(pb(unbatched(tasks)), r);
    expect(statuses(batched)).to.deep.equal(['changed unit', 'changed start']);
    expect(shown(batched.events)).to.deep.equal(shown(reference.events));
  });
});

describe('probe batches: the output is the output without batches', () => {
  const tasks = (): Node<Vars>[] => [
    copyTo('a'),
    task({ name: 'b', action: lineinfile({ path: '/srv/b', line: 'new', create: true }), register: 'b' }),
    task({ name: 'c', action: copy({ dest: '/srv/c', content: 'c\n', mode: '0600' }), changedWhen: () => true }),
    task({ name: 'skip', when: (h) => h.name === 'nobody', action: copy({ dest: '/srv/s', content: 's\n' }) }),
    task({ name: 'guard', action: command({ argv: ['mkdir', '/srv/made'], creates: '/srv/made' }) }),
  ];
  /** Every module with a probe, settled or not, registering what it returns. */
  const everyModule = (): Node<Vars>[] => [
    ...tasks(),
    task({ name: 'assert', action: assertThat({ that: true, msg: 'holds' }), register: 'r1' }),
    task({ name: 'template', action: (h) => template({ src: TEMPLATE, dest: '/srv/t.conf', vars: { host: h.name, index: 1, dir: '/srv' } }), register: 'r2' }),
    task({ name: 'block', action: blockinfile({ path: '/srv/blk', block: 'x = 1', create: true }), register: 'r3' }),
    task({ name: 'ini', action: iniFile({ path: '/srv/a.ini', section: 's', option: 'k', value: 'v' }), register: 'r4' }),
    task({ name: 'hosts', action: hostsEntry({ path: '/srv/hosts', entries: [{ ip: '198.18.0.11', names: ['vprotect1'] }] }), register: 'r5' }),
    task({ name: 'removes', action: shell({ cmd: 'rm /srv/gone', removes: '/srv/gone' }), register: 'r6' }),
    task({ name: 'running', action: service({ name: 'pcsd', state: 'started', enabled: true }), register: 'r7' }),
    task({ name: 'stopped', action: service({ name: 'corosync', enabled: false }), register: 'r8' }),
    task({ name: 'every result', action: (h) => copy({ dest: '/srv/results', content: JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8].map((i) => h.registered(`r${i}`))) }) }),
  ];
  const seeded = (dirs: Record<string, number> = {}): FakeCluster => {
    const c = cluster(undefined, dirs);
    for (const h of c.hosts.values()) {
      h.file('/srv/a', 'a\n', { mode: 0o644 });
      h.file('/srv/b', 'old\n', { mode: 0o644 });
      h.file('/srv/c', 'c\n', { mode: 0o644 });
      h.file('/srv/hosts', '127.0.0.1 localhost\n198.18.0.11 vprotect1\n', { mode: 0o644 });
      h.file('/srv/a.ini', '[s]\nk = old\n', { mode: 0o644 });
      h.on('systemctl show -p LoadState,ActiveState,UnitFileState -- pcsd', { stdout: 'LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n' });
      let corosync = 'enabled';
      h.on('systemctl show -p LoadState,ActiveState,UnitFileState -- corosync', () => ({ stdout: `LoadState=loaded\nActiveState=inactive\nUnitFileState=${corosync}\n` }));
      h.on(/^systemctl disable -- corosync$/, () => ((corosync = 'disabled'), {}));
    }
    return c;
  };

  for (const flags of [{}, { check: true }, { diff: true }, { check: true, diff: true }] as const) {
    it(`the same events, results and registered values, every module with a probe ${JSON.stringify(flags)}`, async () => {
      const [b, r] = [seeded(), seeded()];
      const batched = await runFake(pb(everyModule()), b, flags);
      const reference = await runFake(pb(unbatched(everyModule())), r, flags);
      expect(shown(batched.events)).to.deep.equal(shown(reference.events));
      expect(batched.stats).to.deep.equal(reference.stats);
      expect(batched.stats.vprotect1).to.include({ failed: 0 });
      if ('check' in flags) return;
      expect(host(b).files.get('/srv/results')!.content.toString()).to.equal(host(r).files.get('/srv/results')!.content.toString());
      // The rerun: everything settled from one command per host (a second for the task reading what the others
      // registered), the same results again.
      const before = execs(host(b)).length;
      const again = await runFake(pb(everyModule()), b, flags);
      expect(execs(host(b)).slice(before).map((x) => (splitSectionsScript(x) ? 'round' : x))).to.deep.equal(['round', 'round']);
      // c: changedWhen; the results file: a rerun registers no-ops.
      expect(statuses(again).filter((s) => s.startsWith('changed'))).to.deep.equal(['changed c', 'changed every result']);
    });
  }

  it('--check on hosts that differ: one command per host, nothing written', async () => {
    const c = seeded();
    const r = await runFake(pb(tasks()), c, { check: true, diff: true });
    for (const h of c.hosts.values()) {
      expect(execs(h)).to.have.length(1);
      expect(puts(h)).to.deep.equal([]);
    }
    expect(statuses(r)).to.deep.equal(['ok a', 'changed b', 'changed c', 'skipped skip', 'changed guard']);
    const b = r.events.find((e) => e.type === 'result' && e.task.name === 'b' && e.host === 'vprotect1');
    expect(b).to.deep.include({ msg: 'would update /srv/b', diffs: [{ path: '/srv/b', before: 'old\n', after: 'old\nnew\n' }] });
  });

  it('-v: the round command is shown under the task whose turn sent it; the others say where their state came from', async () => {
    const r = await runFake(pb(tasks()), seeded({ '/srv/made': 0o755 }), { verbosity: 1, limit: 'vprotect1' });
    const logs = r.events.flatMap((e, i) => (e.type === 'log' ? [{ line: e.line, task: lastTask(r.events, i) }] : []));
    expect(logs[0]).to.deep.include({ task: 'a', line: 'one command reads the state of the next 4 task(s) and the facts' });
    expect(logs[1]!.task).to.equal('a');
    expect(logs[1]!.line).to.match(/^\$ echo [0-9a-f]+_sec_0\n/);
    expect(logs.filter((l) => l.task === 'c').map((l) => l.line), 'c changed: its own commands are shown, as without batches').to.deep.equal(['$ chmod 0600 -- /srv/c => exit 0']);
    expect(logs.filter((l) => l.line.startsWith('nothing to do')).map((l) => l.task)).to.deep.equal(['guard']);
  });

  it('--timeout: the round command carries the tasks\' timeout', async () => {
    const c = seeded();
    await runFake(pb(tasks()), c, { taskTimeout: 7 });
    const round = host(c).ops.find((o) => o.kind === 'exec' && splitSectionsScript(o.cmd));
    expect(round).to.deep.include({ opts: { become: false, timeoutMs: 7000 } });
  });
});

describe('probe batches: failures as without batches', () => {
  it('an unreachable host is reported at the first task, with the same message; the others go on', async () => {
    const c = cluster(['a', 'b']);
    host(c, 'a').unreachable = true;
    const tasks = [copyTo('x'), copyTo('y')];
    const r = await runFake(pb(tasks), c);
    expect(r.exitCode).to.equal(4);
    expect(r.results).to.deep.equal(['unreachable a x', 'changed b x', 'changed b y']);
    expect(r.events.find((e) => e.type === 'result' && e.status === 'unreachable')).to.deep.include({ msg: 'connect ECONNREFUSED (fake)' });
  });

  it('a round that cannot be read: each task reads its state itself and fails naming host, file and cause', async () => {
    const tasks = [copyTo('a'), copyTo('b')];
    const make = (): FakeCluster => {
      const c = cluster();
      host(c).on((cmd) => isFileState(cmd) && cmd.includes('/srv/b'), { code: 1, stderr: "stat: cannot statx '/srv/b': Permission denied\n" });
      return c;
    };
    const batched = await runFake(pb(tasks), make());
    const reference = await runFake(pb(unbatched(tasks)), make());
    expect(shown(batched.events)).to.deep.equal(shown(reference.events));
    expect(batched.events.find((e) => e.type === 'result' && e.status === 'failed')).to.deep.include({
      host: 'vprotect1',
      task: { play: 'p', role: undefined, name: 'b', kind: 'task' },
      msg: "cannot read /srv/b on vprotect1 (exit 1): stat: cannot statx '/srv/b': Permission denied",
    });
  });

  it('a task whose callback throws is evaluated (and reported) at its own turn', async () => {
    const tasks = [
      copyTo('a'),
      task({
        name: 'bad',
        action: () => {
          throw new Error('no such value');
        },
      }),
    ];
    const r = await runFake(pb(tasks), cluster());
    expect(statuses(r)).to.deep.equal(['changed a', 'failed bad']);
    expect(r.events.find((e) => e.type === 'result' && e.status === 'failed')).to.deep.include({ msg: 'Error in task code: no such value' });
  });
});

function lastTask(events: readonly RunEvent[], before: number): string | undefined {
  for (let i = before; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'task') return e.task.name;
  }
  return undefined;
}

