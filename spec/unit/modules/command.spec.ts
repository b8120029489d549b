import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { command } from '../../../modules/command';
import { shell } from '../../../modules/shell';
import { script } from '../../../modules/script';
import { fakeHost, moduleContext } from '../../support/module-context';

describe('command / shell / script (fake host)', () => {
  it('command quotes every argv word and reports rc/stdout/stderr, changed', async () => {
    const conn = fakeHost('h').on('pcs', { stdout: 'ok\n', stderr: 'warn\n' });
    const r = await command({ argv: ['pcs', 'resource', 'create', 'vip', "ip=10.40.1.100 cidr_netmask=24"] }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal(["pcs resource create vip 'ip=10.40.1.100 cidr_netmask=24'"]);
    expect(r).to.deep.include({ changed: true, ran: true, rc: 0, stdout: 'ok\n', stderr: 'warn\n' });
  });

  it('is check-mode capable only with creates/removes; without, the runner skips it', () => {
    expect(command({ argv: ['true'] }).checkMode).to.equal(false);
    expect(command({ argv: ['true'], creates: '/x' }).checkMode).to.equal(true);
    expect(shell({ cmd: 'true', removes: '/x' }).checkMode).to.equal(true);
    expect(command.moduleName).to.equal('command');
  });

  it('evaluates creates in the same round trip as the command and reports a skip as unchanged', async () => {
    const conn = fakeHost('h').on('drbdadm', (cmd) => ({ stdout: cmd.startsWith("if [ -e /var/lib/drbd/r0.md ]") ? '__module_command_skipped_3f9c2e__\n' : '' }));
    const r = await command({ argv: ['drbdadm', 'create-md', 'r0'], creates: '/var/lib/drbd/r0.md' }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal(['if [ -e /var/lib/drbd/r0.md ]; then echo __module_command_skipped_3f9c2e__; exit 0; fi\ndrbdadm create-md r0']);
    expect(r).to.deep.include({ changed: false, ran: false, msg: 'skipped: /var/lib/drbd/r0.md exists' });
  });

  it('under --check runs only the guard test', async () => {
    const conn = fakeHost('h').on('[ -e /done ]', { code: 1 });
    const r = await command({ argv: ['make-it'], creates: '/done' }).run(moduleContext(conn, { check: true }));
    expect(conn.commands).to.deep.equal(['[ -e /done ]']);
    expect(r).to.deep.include({ changed: true, ran: false, msg: 'would run: make-it' });
    const skip = fakeHost('h').on('[ ! -e /old ]', { code: 0 });
    expect(await shell({ cmd: 'rm /old', removes: '/old' }).run(moduleContext(skip, { check: true }))).to.deep.include({ changed: false, msg: 'skipped: /old does not exist' });
  });

  it('shell exports env, enters cwd, feeds stdin (secrets stay out of the command line)', async () => {
    const conn = fakeHost('h').on('mysql', { stdout: '' });
    await shell({ cmd: 'mysql -u root < /tmp/vprotect.sql', env: { MYSQL_PWD: "p'w" }, cwd: '/tmp', stdin: 'secret' }).run(moduleContext(conn));
    const op = conn.ops.find((o) => o.kind === 'exec')!;
    expect(op.kind === 'exec' && op.cmd).to.equal("export MYSQL_PWD=\"p'w\"\ncd /tmp || exit 1\nmysql -u root < /tmp/vprotect.sql");
    expect(op.kind === 'exec' && op.opts.stdin).to.equal('secret');
  });

  it('shell with another executable runs the line through it', async () => {
    const conn = fakeHost('h').on('/bin/bash', {});
    await shell({ cmd: 'set -o pipefail; a | b', executable: '/bin/bash' }).run(moduleContext(conn));
    expect(conn.commands).to.deep.equal(["/bin/bash -c 'set -o pipefail; a | b'"]);
  });

  it('fails with the exit code and stderr tail as a ModuleError carrying rc/stdout/stderr', async () => {
    const conn = fakeHost('h').on('pcs', { code: 1, stdout: '', stderr: 'Error: unable to find resource vip\n' });
    const err = await command({ argv: ['pcs', 'resource', 'show', 'vip'] }).run(moduleContext(conn)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleError);
    expect((err as ModuleError).message).to.equal('`pcs resource show vip` exited 1: Error: unable to find resource vip');
    expect((err as ModuleError).detail).to.deep.equal({ rc: 1, stdout: '', stderr: 'Error: unable to find resource vip\n' });
  });

  it('rejects bad parameters in preflight', () => {
    expect(() => command({ argv: [] }).preflight!()).to.throw(ConfigError, /argv is empty/);
    expect(() => command({ argv: ['x'], creates: 'rel' }).preflight!()).to.throw(ConfigError, /must be absolute/);
    expect(() => shell({ cmd: 'x', env: { 'BAD-NAME': '1' } }).preflight!()).to.throw(ConfigError, /not a valid variable name/);
    expect(() => shell({ cmd: 'x', executable: 'bash' }).preflight!()).to.throw(ConfigError, /absolute/);
  });

  describe('script', () => {
    let dir: string;
    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'script-'));
      await fs.writeFile(path.join(dir, 'a.sh'), '#!/bin/bash -e\necho "$1"\n');
      await fs.writeFile(path.join(dir, 'b.py'), '#!/usr/bin/env python3\nprint(1)\n');
      await fs.writeFile(path.join(dir, 'c'), 'echo plain\n');
    });

    it('pipes the script to the interpreter of its #! line: shells with -s --, others with -', async () => {
      const conn = fakeHost('h').on(() => true, {});
      const ctx = moduleContext(conn);
      await script({ src: path.join(dir, 'a.sh'), args: ['x y'] }).run(ctx);
      await script({ src: path.join(dir, 'b.py') }).run(ctx);
      await script({ src: path.join(dir, 'c') }).run(ctx);
      await script({ src: path.join(dir, 'c'), interpreter: ['/usr/bin/perl'] }).run(ctx);
      expect(conn.commands).to.deep.equal(["/bin/bash -e -s -- 'x y'", '/usr/bin/env python3 -', '/bin/sh -s --', '/usr/bin/perl -']);
      const stdins = conn.ops.flatMap((o) => (o.kind === 'exec' ? [o.opts.stdin] : []));
      expect(stdins[0]).to.equal('#!/bin/bash -e\necho "$1"\n');
    });

    it('a missing script is a ConfigError in preflight', () => {
      expect(() => script({ src: path.join(dir, 'nope.sh') }).preflight!()).to.throw(ConfigError, /nope\.sh: cannot read it \(ENOENT\)/);
    });
  });
});
