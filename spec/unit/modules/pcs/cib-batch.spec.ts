// Batching in a CIB file: pcs_cib_file -> pcs_* with cibFile -> pcs_cib_push.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { pcsCibFile, pcsCibPush, pcsProperty } from '../../../../modules/pcs';
import { moduleContext } from '../../../support/module-context';
import { changing, fixture, pcsHost } from './pcs-fakes';
import { PCS_VERSION_PROBE } from '../../../../modules/pcs/dialect';
import { pcsCommand } from '../../../../modules/pcs/run';

const HOWTO = fixture('cib-howto-0.11.xml');
const FILE = '/root/drbd_cfg';

describe('pcs_cib_file and pcs_cib_push', () => {
  it('copies the live CIB to the file (a scratch copy: not a change)', async () => {
    const h = pcsHost('vprotect1');
    const r = await pcsCibFile({ cibFile: FILE }).run(moduleContext(h));
    expect(r).to.deep.include({ changed: false, commands: [`umask 077; cibadmin --query > ` + sh`${FILE}`] });
    expect(h.commands).to.deep.equal([PCS_VERSION_PROBE, `umask 077; cibadmin --query > ` + sh`${FILE}`]);
  });

  it('under --check still makes the scratch copy and builds in it (no cluster state), so the push can say exactly what differs', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO });
    const ctx = moduleContext(h, { check: true, diff: true });
    await pcsCibFile({ cibFile: FILE }).run(ctx);
    const copy = `umask 077; cibadmin --query > ` + sh`${FILE}`;
    h.file(FILE, HOWTO); // what the copy wrote
    const set = pcsCommand({ cibFile: FILE }, ['property', 'set', 'stonith-enabled=true']);
    h.on(set, () => (h.file(FILE, HOWTO.replace('name="stonith-enabled" value="false"', 'name="stonith-enabled" value="true"')), {}));
    const r = await pcsProperty({ cibFile: FILE, properties: { 'stonith-enabled': true } }).run(ctx);
    expect(r).to.deep.include({ changed: true, msg: 'would set stonith-enabled=true' });
    const push = await pcsCibPush({ cibFile: FILE }).run(ctx);
    expect(push).to.deep.include({ changed: true, msg: `would push the configuration in ${FILE} (cluster properties or defaults changed)` });
    expect(push.diffs![0]!.after).to.contain('name="stonith-enabled" value="true"');
    // The copy and the scratch edit ran; nothing touched the cluster.
    expect(h.commands).to.deep.equal([PCS_VERSION_PROBE, copy, set, 'cibadmin --query']);
  });

  it('a task on a CIB file that pcs_cib_file did not make (no scratch copy) changes nothing under --check', async () => {
    const h = pcsHost('vprotect1', { cib: HOWTO }).file(FILE, HOWTO);
    const r = await pcsProperty({ cibFile: FILE, properties: { 'stonith-enabled': true } }).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would set stonith-enabled=true' });
    expect(changing(h)).to.deep.equal([]);
  });

  it('pushes with --config only when the file\'s configuration differs from the live one', async () => {
    // Same configuration, other formatting and epoch: nothing to push.
    const same = HOWTO.replace('epoch="', 'epoch="9').replace(/\n\s*/g, '\n');
    const h = pcsHost('vprotect1', { cib: HOWTO }).file(FILE, same);
    expect((await pcsCibPush({ cibFile: FILE }).run(moduleContext(h))).changed).to.equal(false);
    expect(changing(h)).to.deep.equal([]);

    const edited = HOWTO.replace('name="stonith-enabled" value="false"', 'name="stonith-enabled" value="true"');
    const h2 = pcsHost('vprotect1', { cib: HOWTO }).file(FILE, edited);
    const r = await pcsCibPush({ cibFile: FILE, waitSeconds: 60 }).run(moduleContext(h2, { diff: true }));
    expect(r).to.deep.include({ changed: true, msg: `push the configuration in ${FILE} (cluster properties or defaults changed)` });
    expect(changing(h2)).to.deep.equal([sh`pcs cluster cib-push ${FILE} --config ${'--wait=60'}`]);
    expect(r.diffs).to.have.length(1);
    expect(r.diffs![0]!.before).to.contain('name="stonith-enabled" value="false"');
    expect(r.diffs![0]!.after).to.contain('name="stonith-enabled" value="true"');
  });

  it('under --check reports the push and runs nothing', async () => {
    const edited = HOWTO.replace('value="ignore"', 'value="stop"');
    const h = pcsHost('vprotect1', { cib: HOWTO }).file(FILE, edited);
    const r = await pcsCibPush({ cibFile: FILE }).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: `would push the configuration in ${FILE} (cluster properties or defaults changed)` });
    expect(changing(h)).to.deep.equal([]);
  });
});
