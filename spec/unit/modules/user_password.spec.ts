import { expect } from 'chai';
import { ConfigError, ModuleError } from '../../../engine/errors';
import { passwordScript, userPassword } from '../../../modules/user_password';
import { fakeHost, moduleContext } from '../../support/module-context';

const PW = 'hacluster-Pa55:word';

describe('user_password (fake host)', () => {
  it('sends the password on stdin only, marks it secret, and reports a change', async () => {
    const conn = fakeHost('vprotect1').on('getent shadow', { stdout: 'changed\n' });
    const ctx = moduleContext(conn);
    const r = await userPassword({ user: 'hacluster', password: PW }).run(ctx);
    expect(r).to.deep.include({ changed: true, user: 'hacluster', msg: 'changed the password of hacluster' });
    const op = conn.ops.find((o) => o.kind === 'exec')!;
    const cmd = op.kind === 'exec' ? op.cmd : '';
    const salt = /^s=([A-Za-z0-9./]{16})$/m.exec(cmd)?.[1];
    expect(salt, 'a fresh 16-character salt').to.be.a('string');
    expect(cmd).to.equal(passwordScript('hacluster', 'password', false, salt));
    expect(op.kind === 'exec' && op.cmd).not.to.include(PW);
    expect(op.kind === 'exec' && op.opts.stdin).to.equal(PW);
    expect(ctx.secrets).to.deep.equal([PW]);
    expect(JSON.stringify(r)).not.to.include(PW);
  });

  it('is unchanged when the host verifies the password against the current hash', async () => {
    const conn = fakeHost('h').on('getent shadow', { stdout: 'same\n' });
    expect(await userPassword({ user: 'hacluster', password: PW }).run(moduleContext(conn))).to.deep.include({ changed: false });
  });

  it('under --check the script verifies but cannot reach chpasswd', async () => {
    const conn = fakeHost('h').on('getent shadow', { stdout: 'differ\n' });
    const r = await userPassword({ user: 'hacluster', password: PW }).run(moduleContext(conn, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would change the password of hacluster' });
    const script = passwordScript('hacluster', 'password', true);
    expect(conn.commands).to.deep.equal([script]);
    expect(script).not.to.include('chpasswd');
    expect(passwordScript('hacluster', 'password', false, 'abcdefgh12345678')).to.include("openssl passwd -6 -salt \"$s\" -stdin").and.include('| chpasswd -e || exit $?');
    expect(passwordScript('hacluster', 'hash', false)).to.include('| chpasswd -e || exit $?').and.include('[ "$new" = "$cur" ]');
  });

  it('fails naming the user, or the missing privilege', async () => {
    const missing = fakeHost('h').on('getent shadow', { code: 3, stderr: 'user hacluster does not exist\n' });
    const e1 = await userPassword({ user: 'hacluster', password: PW }).run(moduleContext(missing)).catch((e: unknown) => e);
    expect(e1).to.be.instanceOf(ModuleError);
    expect((e1 as Error).message).to.equal('setting the password of hacluster on h failed (exit 3): user hacluster does not exist');
    const noRoot = fakeHost('h').on('getent shadow', { code: 4, stderr: 'cannot read /etc/shadow: run the task with become\n' });
    const e2 = await userPassword({ user: 'hacluster', password: PW }).run(moduleContext(noRoot)).catch((e: unknown) => e);
    expect((e2 as Error).message).to.match(/run the task with become$/);
  });

  it('checks parameters in preflight', () => {
    expect(() => userPassword({ user: 'hacluster' }).preflight!()).to.throw(ConfigError, /exactly one of password or hash/);
    expect(() => userPassword({ user: 'hacluster', password: 'a\nb' }).preflight!()).to.throw(ConfigError, /newline/);
    expect(() => userPassword({ user: 'hacluster', hash: 'plain' }).preflight!()).to.throw(ConfigError, /not a crypt\(3\) hash/);
    expect(() => userPassword({ user: 'bad user', password: 'x' }).preflight!()).to.throw(ConfigError, /not a user name/);
  });
});
