// drbd_resource on a host whose DRBD was built by hand from the how-to: the resource defined in
// /etc/drbd.d/vprotect.res (the how-to's text, its missing closing brace included) gets the role's content
// there, never a second definition in replicate.res; two definitions are refused before anything is written.
// Then the scan itself, run by a real /bin/sh and grep on a temp tree.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FakeConnection } from '../../../support/fake-connection';
import { drbdResource } from '../../../../modules/drbd';
import { configScanScript, parseConfigScan, resourcesDefined } from '../../../../modules/drbd/config-files';
import { renderTemplate } from '../../../../modules/lib/handlebars';
import { fakeHost, moduleContext } from '../../../support/module-context';
import { isConfigScan, serveConfigScan } from '../../../support/drbd-config-fake';
import { failureMessage as failure } from '../../../support/failure';

const HOWTO = readFileSync(path.join(__dirname, '../../../fixtures/drbd/howto-vprotect.res'), 'utf8');
const HANDMADE = '/etc/drbd.d/vprotect.res';
const DEFAULT = '/etc/drbd.d/replicate.res';
// The role's file for the how-to's pair on Debian 12 with the 8.4 kernel module (drbd9: false).
const VARS = {
  resource: 'replicate', drbd9: false, device: '/dev/drbd0', disk: '/dev/sdb', port: 7788,
  nodes: [{ hostname: 'vprotect1', address: '10.40.1.50' }, { hostname: 'vprotect2', address: '10.40.1.52' }],
};
const ROLE = renderTemplate('drbd-resource', VARS);
const GLOBAL_COMMON = 'global {\n  usage-count yes;\n}\ncommon {\n  net {\n    protocol C;\n  }\n}\n';
const ADOPTED = `resource replicate is defined in ${HANDMADE} (made by hand): its content becomes the role's there`;

/** The how-to's vprotect1 on Debian 12: drbd.conf and global_common.conf from drbd-utils, vprotect.res by hand. */
function howtoHost(): FakeConnection {
  const h = serveConfigScan(fakeHost('vprotect1'));
  h.file('/etc/drbd.conf', '# You can find an example in  /usr/share/doc/drbd.../drbd.conf.example\n\ninclude "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n');
  h.file('/etc/drbd.d/global_common.conf', GLOBAL_COMMON);
  h.file(HANDMADE, HOWTO, { mode: 0o644 });
  h.on(/^drbdadm -c \/tmp\/\.drbd-check-[0-9a-f]{12}\.conf dump replicate$/, { stdout: 'resource replicate {\n}\n' });
  h.on(/^rm -f -- \/tmp\/\.drbd-check-/, { code: 0 });
  return h;
}

/** Files written outside the module's scratch copies in /tmp. */
const written = (h: FakeConnection): string[] => h.ops.flatMap((o) => (o.kind === 'put' && !o.path.startsWith('/tmp/') ? [o.path] : []));
const checkedConfig = (h: FakeConnection): string | undefined => {
  const op = h.ops.find((o) => o.kind === 'put' && o.path.endsWith('.conf'));
  return op?.kind === 'put' ? op.content.replace(/[0-9a-f]{12}/g, 'X') : undefined;
};
const resource = () => drbdResource({ name: 'replicate', template: 'drbd-resource', vars: VARS });

describe('drbd_resource on the how-to\'s hand-built host', () => {
  it('writes the role\'s content into the how-to\'s vprotect.res, shows its before and after, and never makes replicate.res', async () => {
    const h = howtoHost();
    const r = await resource().run(moduleContext(h, { diff: true }));
    expect(r).to.deep.include({ changed: true, path: HANDMADE, msg: `${ADOPTED}; updated ${HANDMADE}` });
    expect(r.diffs).to.deep.equal([{ path: HANDMADE, before: HOWTO, after: ROLE }]);
    expect(written(h)).to.deep.equal([HANDMADE]);
    expect(h.files.get(HANDMADE)?.content.toString()).to.equal(ROLE);
    expect(h.files.has(DEFAULT)).to.equal(false);
    // drbdadm judged the new content where vprotect.res is, with the rest of the configuration.
    expect(checkedConfig(h)).to.equal(
      `# drbdadm's configuration with the new ${HANDMADE}\ninclude "/etc/drbd.d/global_common.conf";\ninclude "/tmp/.drbd-check-X.res";\n`,
    );
  });

  it('a rerun after the adoption is a no-op', async () => {
    const h = howtoHost();
    await resource().run(moduleContext(h));
    const before = h.ops.length;
    const again = await resource().run(moduleContext(h));
    expect(again).to.deep.include({ changed: false, path: HANDMADE, msg: `${HANDMADE} up to date` });
    expect(h.ops.slice(before).flatMap((o) => (o.kind === 'exec' ? [isConfigScan(o.cmd) ? 'scan' : o.cmd] : o.kind === 'put' ? [`put ${o.path}`] : []))).to.deep.equal(['scan']);
  });

  it('a later change of the adopted file is a plain update of it', async () => {
    const h = howtoHost();
    h.file(HANDMADE, ROLE.replace(':7788;', ':7789;'));
    expect((await resource().run(moduleContext(h))).msg).to.equal(`updated ${HANDMADE}`);
  });

  it('--check says which file it would write and writes nothing', async () => {
    const h = howtoHost();
    const r = await resource().run(moduleContext(h, { check: true, diff: true }));
    expect(r).to.deep.include({ changed: true, path: HANDMADE, msg: `${ADOPTED}; would update ${HANDMADE}` });
    expect(r.diffs).to.deep.equal([{ path: HANDMADE, before: HOWTO, after: ROLE }]);
    expect(written(h)).to.deep.equal([]);
    expect(h.files.get(HANDMADE)?.content.toString()).to.equal(HOWTO);
  });

  it('refuses a resource defined in two files, naming host, resource and files, before writing anything', async () => {
    const h = howtoHost().file(DEFAULT, ROLE);
    expect(await failure(resource().run(moduleContext(h)))).to.equal(
      `resource replicate is defined in 2 files drbdadm reads on vprotect1: ${DEFAULT} and ${HANDMADE}; drbdadm refuses a resource ` +
        'defined twice, so nothing was written: remove the duplicate and rerun',
    );
    expect(h.ops.filter((o) => o.kind === 'put')).to.deep.equal([]);
    expect(h.commands.filter((c) => !isConfigScan(c))).to.deep.equal([]);
    expect(h.files.get(HANDMADE)?.content.toString()).to.equal(HOWTO);
    expect(h.files.get(DEFAULT)?.content.toString()).to.equal(ROLE);
    // --check refuses the same way
    expect(await failure(resource().run(moduleContext(h, { check: true })))).to.match(/^resource replicate is defined in 2 files/);
  });

  it('refuses to replace a hand-made file that defines another resource too', async () => {
    const h = howtoHost();
    h.file(HANDMADE, `${HOWTO}}\nresource r1 {\n  protocol C;\n}\n`);
    expect(await failure(resource().run(moduleContext(h)))).to.equal(
      `refusing to write resource replicate to ${HANDMADE} on vprotect1: the file defines resource r1 too, which the new content ` +
        'would drop, so nothing was written: move it to a file of its own and rerun',
    );
    expect(written(h)).to.deep.equal([]);
  });

  it('refuses a resource defined in drbd.conf itself, and a second definition at a path the caller gives', async () => {
    const conf = howtoHost();
    conf.files.delete(HANDMADE);
    conf.file('/etc/drbd.conf', `include "drbd.d/global_common.conf";\n${HOWTO}}\n`);
    expect(await failure(resource().run(moduleContext(conf)))).to.equal(
      "resource replicate is defined in /etc/drbd.conf on vprotect1, a file that holds DRBD's other configuration too, so nothing " +
        `was written: move the resource to ${DEFAULT}, a file of its own, and rerun`,
    );
    const asked = howtoHost();
    expect(await failure(drbdResource({ name: 'replicate', path: DEFAULT, content: ROLE }).run(moduleContext(asked)))).to.equal(
      `resource replicate is already defined in ${HANDMADE} on vprotect1: writing it to ${DEFAULT} too would define it twice, which ` +
        `drbdadm refuses, so nothing was written: remove that definition, or leave path unset to write into ${HANDMADE}`,
    );
    expect(written(conf).concat(written(asked))).to.deep.equal([]);
    // A path drbdadm's default configuration does not read is the caller's own (a configuration for drbdadm -c).
    const elsewhere = await drbdResource({ name: 'replicate', path: '/root/replicate.res', content: ROLE }).run(moduleContext(howtoHost()));
    expect(elsewhere).to.deep.include({ msg: 'created /root/replicate.res', path: '/root/replicate.res' });
  });
});

describe('the scan of the files drbdadm reads (real /bin/sh and grep)', () => {
  let etc: string;
  const scan = (name: string) => parseConfigScan(execFileSync('/bin/sh', ['-c', configScanScript(name, etc)], { encoding: 'utf8' }));
  const at = (p: string): string => path.join(etc, p);

  before(() => {
    etc = mkdtempSync(path.join(tmpdir(), 'drbd-scan-'));
    mkdirSync(at('drbd.d'));
  });
  after(() => rmSync(etc, { recursive: true, force: true }));

  it('on a host without DRBD: nothing', () => {
    rmSync(at('drbd.d'), { recursive: true });
    expect(scan('replicate')).to.deep.equal({ read: [], defining: [] });
    mkdirSync(at('drbd.d'));
  });

  it('finds the how-to\'s vprotect.res among the files drbd.conf includes, skipping those it does not and other names', () => {
    writeFileSync(at('drbd.conf'), 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n');
    writeFileSync(at('drbd.d/global_common.conf'), GLOBAL_COMMON);
    writeFileSync(at('drbd.d/vprotect.res'), HOWTO);
    writeFileSync(at('drbd.d/replicate.res.bak'), HOWTO);
    writeFileSync(at('drbd.d/.old.res'), HOWTO);
    writeFileSync(at('drbd.d/a.res'), '# resource replicate {\nresource replicate2 {\n}\nresource "r.1"{\n}\n');
    writeFileSync(at('drbd.d/b.res'), '\tresource replicate{\n}\n');
    expect(scan('replicate')).to.deep.equal({
      read: ['drbd.conf', 'drbd.d/global_common.conf', 'drbd.d/a.res', 'drbd.d/b.res', 'drbd.d/vprotect.res'].map(at),
      defining: ['drbd.d/b.res', 'drbd.d/vprotect.res'].map(at),
    });
    expect(scan('r.1').defining).to.deep.equal([at('drbd.d/a.res')]);
    expect(scan('r-1').defining).to.deep.equal([]);
    // the module's own reading of a file it would replace agrees
    expect(resourcesDefined(readFileSync(at('drbd.d/a.res'), 'utf8'))).to.deep.equal(['replicate2', 'r.1']);
    expect(resourcesDefined(HOWTO)).to.deep.equal(['replicate']);
  });
});
