// pcs_property, pcs_resource_defaults and pcs_node on fake hosts serving recorded CIBs.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { pcsNode, pcsProperty, pcsResourceDefaults } from '../../../../modules/pcs';
import { moduleContext } from '../../../support/module-context';
import { changing, fixture, pcsHost } from './pcs-fakes';
import { PCS_VERSION_PROBE } from '../../../../modules/pcs/dialect';

const EMPTY = fixture('cib-empty-0.11.xml');
const HOWTO = fixture('cib-howto-0.11.xml');
const HOWTO_09 = fixture('cib-howto-0.9.xml');

describe('pcs_property', () => {
  const params = { properties: { 'no-quorum-policy': 'ignore', 'stonith-enabled': false } };

  it('sets the properties that differ, in one command', async () => {
    const h = pcsHost('vprotect1', { cib: EMPTY });
    const r = await pcsProperty(params).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, msg: 'set no-quorum-policy=ignore stonith-enabled=false' });
    expect(r.before).to.deep.equal({ 'no-quorum-policy': undefined, 'stonith-enabled': undefined });
    expect(changing(h)).to.deep.equal([sh`pcs property set ${'no-quorum-policy=ignore'} ${'stonith-enabled=false'}`]);
  });

  it('is a no-op when the CIB already holds the values (second run)', async () => {
    for (const cib of [HOWTO, HOWTO_09]) {
      const h = pcsHost('vprotect1', { cib, version: cib === HOWTO ? '0.11.5' : '0.9.169' });
      const r = await pcsProperty(params).run(moduleContext(h));
      expect(r).to.deep.include({ changed: false, msg: 'properties already set', commands: [] });
      expect(changing(h)).to.deep.equal([]);
    }
  });

  it('changes only the differing one and treats false/FALSE alike', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    await pcsProperty({ properties: { 'no-quorum-policy': 'stop', 'stonith-enabled': 'FALSE' } }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal([sh`pcs property set ${'no-quorum-policy=stop'}`]);
  });

  it('under --check reads the CIB, reports, and runs no changing command', async () => {
    const h = pcsHost('vprotect1', { cib: EMPTY });
    const r = await pcsProperty(params).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would set no-quorum-policy=ignore stonith-enabled=false' });
    expect(h.commands).to.deep.equal([PCS_VERSION_PROBE, 'cibadmin --query']);
  });

  it('works on a CIB file with pcs -f, reading the file', async () => {
    const h = pcsHost('vprotect1').file('/root/drbd_cfg', EMPTY);
    await pcsProperty({ ...params, cibFile: '/root/drbd_cfg' }).run(moduleContext(h));
    expect(h.commands).to.deep.equal([PCS_VERSION_PROBE, sh`pcs -f /root/drbd_cfg property set ${'no-quorum-policy=ignore'} ${'stonith-enabled=false'}`]);
  });

  it('names a missing CIB file and how to make it', async () => {
    const h = pcsHost('vprotect1');
    try {
      await pcsProperty({ ...params, cibFile: '/root/nope' }).run(moduleContext(h));
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).message).to.equal(
        'CIB file /root/nope does not exist on vprotect1; create it first (pcs_cib_file) or drop cibFile to work on the live cluster',
      );
    }
  });
});

describe('pcs_resource_defaults', () => {
  const defaults = { 'failure-timeout': '30s', 'migration-threshold': 3 };

  it('uses `defaults update` on pcs 0.10.7+', async () => {
    const h = pcsHost('vprotect1', { cib: EMPTY });
    await pcsResourceDefaults({ defaults }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal([sh`pcs resource defaults update ${'failure-timeout=30s'} ${'migration-threshold=3'}`]);
  });

  it('uses the bare `defaults NAME=VALUE` form on pcs 0.9 and early 0.10', async () => {
    for (const version of ['0.9.169', '0.10.6']) {
      const h = pcsHost('vprotect1', { cib: EMPTY, version });
      await pcsResourceDefaults({ defaults }).run(moduleContext(h));
      expect(changing(h)).to.deep.equal([sh`pcs resource defaults ${'failure-timeout=30s'} ${'migration-threshold=3'}`]);
    }
  });

  it('compares durations by value: 30 is 30s', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO_09, version: '0.9.169' });
    const r = await pcsResourceDefaults({ defaults: { 'failure-timeout': 30, 'migration-threshold': '3' } }).run(moduleContext(h));
    expect(r.changed).to.equal(false);
  });

  it('sets operation defaults with scope op', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    await pcsResourceDefaults({ scope: 'op', defaults: { timeout: '120s' } }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal([sh`pcs resource op defaults update ${'timeout=120s'}`]);
  });

  it('is a no-op on the how-to CIB (second run)', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    expect((await pcsResourceDefaults({ defaults }).run(moduleContext(h))).changed).to.equal(false);
    expect(changing(h)).to.deep.equal([]);
  });
});

describe('pcs_node', () => {
  it('puts a node in standby with `pcs node standby` (0.10+)', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    const r = await pcsNode({ node: 'vprotect1', state: 'standby', waitSeconds: 60 }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: true, wasStandby: false });
    expect(changing(h)).to.deep.equal([sh`pcs node standby vprotect1 ${'--wait=60'}`]);
  });

  it('uses `pcs cluster unstandby` on 0.9, and nothing when already in the wanted state', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO_09, version: '0.9.169' });
    await pcsNode({ node: 'vprotect1', state: 'unstandby' }).run(moduleContext(h));
    await pcsNode({ node: 'vprotect1', state: 'standby' }).run(moduleContext(h));
    await pcsNode({ node: 'vprotect2', state: 'unstandby' }).run(moduleContext(h));
    expect(changing(h)).to.deep.equal(['pcs cluster unstandby vprotect1']);
  });

  it('refuses an unknown node, listing the known ones', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    try {
      await pcsNode({ node: 'vprotect3', state: 'standby' }).run(moduleContext(h));
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).message).to.equal('node vprotect3 is not in the cluster configuration (known: vprotect1, vprotect2)');
    }
  });
});
