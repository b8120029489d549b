// defineModule's preflight guarantee: preflight runs before the plan's run and at the start of every run,
// once per call, and run() gets what it returned; a module that checks only in preflight is covered at run time.
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import type { ModuleResult } from '../../../engine/types';
import { defineModule } from '../../../modules/lib/define';
import { drbdMd, drbdPrimary, drbdResource, drbdSplitBrain, drbdStatus, drbdUp } from '../../../modules/drbd';
import { DRBD_RESOURCE_NAME } from '../../../modules/drbd/resource-name';
import { drbdVars } from '../../../roles/drbd/vars';
import { fakeHost, moduleContext } from '../../support/module-context';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('defineModule: the preflight guarantee', () => {
  const seen: string[] = [];
  const upper = defineModule<{ readonly word: string }, ModuleResult & { readonly word: string }, string>({
    name: 'upper',
    checkMode: true,
    preflight: (p) => {
      seen.push(p.word);
      if (!p.word) throw new ConfigError('upper: word is empty');
      return p.word.toUpperCase();
    },
    run: async (_p, _ctx, word) => ({ changed: false, word }),
  });

  beforeEach(() => seen.splice(0));

  it('runs preflight at the start of run and hands run() its result, once per call however often it runs', async () => {
    const action = upper({ word: 'abc' });
    const ctx = moduleContext(fakeHost('h1'));
    action.preflight?.();
    expect((await action.run(ctx)).word).to.equal('ABC');
    expect((await action.run(ctx)).word).to.equal('ABC'); // a retry
    expect(seen).to.deep.equal(['abc']);
  });

  it('fails the run with the preflight error before touching the host, when the plan could not check it', async () => {
    const host = fakeHost('h1');
    const err = await rejection(upper({ word: '' }).run(moduleContext(host)));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.equal('upper: word is empty');
    expect(host.ops).to.deep.equal([]);
  });

  it('covers the DRBD modules at run time: a bad resource name is refused before any drbdadm runs', async () => {
    const calls = [
      drbdUp({ resource: '-x' }),
      drbdMd({ resource: '-x' }),
      drbdPrimary({ resource: '-x' }),
      drbdStatus({ resource: '-x' }),
      drbdSplitBrain({ resource: '-x' }),
      drbdResource({ name: '-x', content: 'resource -x {\n}\n' }),
    ];
    for (const action of calls) {
      const host = fakeHost('h1');
      const err = await rejection(action.run(moduleContext(host)));
      expect(err, action.module).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.equal(`${action.module}: invalid resource name "-x"`);
      expect(host.ops, action.module).to.deep.equal([]);
    }
  });
});

describe('DRBD resource names: one rule for the modules and the roles', () => {
  it('accepts what drbdadm and pcs take as a resource word; refuses option-like, hidden or spaced names', () => {
    for (const ok of ['replicate', 'r0', 'data_1', 'vp.data-2', '_x']) expect(DRBD_RESOURCE_NAME.test(ok), ok).to.equal(true);
    for (const bad of ['', '-x', '.hidden', 'a b', 'a/b', 'r0;rm']) expect(DRBD_RESOURCE_NAME.test(bad), bad).to.equal(false);
  });

  it('the drbd role schema applies the same rule', () => {
    expect(drbdVars.safeParse({ drbd_resource: 'vp.data-2' }).success).to.equal(true);
    expect(drbdVars.safeParse({ drbd_resource: '-x' }).success).to.equal(false);
    expect(() => drbdUp({ resource: 'vp.data-2' }).preflight?.()).to.not.throw();
  });
});
