import { expect } from 'chai';
import { tierSwitchRefusal } from '../../../lab/users';

describe('lab users: a tier switch under another run', () => {
  it('is refused while another live run uses the lab on another tier, naming the run and the way out', () => {
    expect(tierSwitchRefusal([4242], 'storage', 'nspawn')).to.equal(
      'the lab runs the storage tier for another run (pid 4242): starting the nspawn tier would replace its hosts under it. Wait for that run to end. To run one unit spec alone, use mocha --no-config with that file (the default .mocharc.json loads every integration spec)',
    );
  });

  it('is allowed on the same tier, or when no other run uses the lab', () => {
    expect(tierSwitchRefusal([4242], 'storage', 'storage')).to.equal(undefined);
    expect(tierSwitchRefusal([], 'storage', 'nspawn')).to.equal(undefined);
  });
});
