import { expect } from 'chai';
import { dialectFor, pcsDialect, PCS_VERSION_PROBE, promotedRole } from '../../../../modules/pcs/dialect';
import { pcsProperty } from '../../../../modules/pcs';
import { moduleContext } from '../../../support/module-context';
import { fixture, pcsHost } from './pcs-fakes';

describe('pcs dialect', () => {
  it('tells 0.9 from 0.10+ and the feature boundaries from pcs\'s CHANGELOG', () => {
    expect(dialectFor('0.9.169')).to.deep.equal({
      version: '0.9.169', generation: '0.9', customCloneId: false, defaultsUpdate: false, promotedRoleNames: false, destroyNeedsForce: false,
    });
    expect(dialectFor('0.10.6')).to.include({ generation: '0.10+', customCloneId: false, defaultsUpdate: false, promotedRoleNames: false });
    expect(dialectFor('0.10.7')).to.include({ customCloneId: true, defaultsUpdate: true, promotedRoleNames: false });
    expect(dialectFor('0.10.10')).to.include({ promotedRoleNames: true, destroyNeedsForce: false });
    expect(dialectFor(fixture('version-0.11.txt'))).to.include({ version: '0.11.5', generation: '0.10+', destroyNeedsForce: true });
    // Package versions, as dpkg-query and rpm print them (the probe asks the package database first).
    expect(dialectFor('0.11.5-1+deb12u1\n')).to.include({ version: '0.11.5', destroyNeedsForce: true });
    expect(dialectFor('1:0.10.8-1.el8')).to.include({ version: '0.10.8', customCloneId: true });
  });

  it('names the promoted role per generation', () => {
    expect(promotedRole(dialectFor('0.9.169'))).to.equal('master');
    expect(promotedRole(dialectFor('0.10.8'))).to.equal('Master');
    expect(promotedRole(dialectFor('0.11.5'))).to.equal('Promoted');
  });

  it('asks the host once per host per run, the package database before `pcs --version`', async () => {
    const h = pcsHost('vprotect1', { cib: fixture('cib-howto-0.11.xml') });
    const ctx = moduleContext(h);
    await pcsDialect(ctx);
    await pcsProperty({ properties: { 'stonith-enabled': false } }).run(ctx);
    expect(h.commands.filter((c) => c === PCS_VERSION_PROBE)).to.have.length(1);
    expect(PCS_VERSION_PROBE.indexOf('dpkg-query')).to.be.lessThan(PCS_VERSION_PROBE.indexOf('rpm -q')).and.lessThan(PCS_VERSION_PROBE.indexOf('pcs --version'));
  });

  it('fails with an actionable message when pcs is missing', async () => {
    const h = pcsHost('vprotect1');
    h.on(PCS_VERSION_PROBE, { code: 127, stderr: 'sh: 1: pcs: not found' });
    try {
      await pcsDialect(moduleContext(h));
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).message).to.equal('pcs is not installed on vprotect1; install the pcs package first');
    }
  });
});
