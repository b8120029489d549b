// The DRBD resource file the drbd role writes, judged by the real drbdadm of both dialects (drbd-utils 9's
// drbdadm for DRBD 9, its drbdadm-84 for the how-to's DRBD 8.4), as far as a machine without the kernel
// module can go: parse, the full per-host check (`dump` on the node the file names), the structure as drbdadm
// reads it (`dump-xml`) and the kernel commands `drbdadm up` would issue (`-d`, dry run). The seed's errata
// (no closing brace, /dev/mapper/drbd0, node names that are not `uname -n`) cannot come out of the role.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Facts, HostName, ModuleResult } from '../../engine/types';
import type { HostView, Vars } from '../../engine/dsl';
import type { Inventory } from '../../engine/inventory/types';
import type { CommandResult } from '../../modules/command';
import { loadInventory } from '../../engine/inventory/load';
import { fakeFacts } from '../support/fake-connection';
import { renderTemplate } from '../../modules/lib/handlebars';
import { braceProblem } from '../../modules/drbd/resource';
import { childNamed, childrenNamed, parseXml, type XmlElement } from '../../modules/lib/xml';
import { RESOURCE_TEMPLATE, resourceFileVars } from '../../roles/drbd';
import { drbdVars, type DrbdVars } from '../../roles/drbd/vars';

const PROD = path.join(__dirname, '../../inventory/prod');
const fixture = (name: string): string => readFileSync(path.join(__dirname, '../fixtures/drbd', name), 'utf8');
const THIS_HOST = execFileSync('uname', ['-n'], { encoding: 'utf8' }).trim();
const DRBDADM_9 = 'drbdadm';
const DRBDADM_84 = '/usr/lib/drbd/drbdadm-84';

/** The prod inventory; its !env secrets get made-up values (the drbd role reads none of them). */
async function prodInventory(): Promise<Inventory> {
  const env: NodeJS.ProcessEnv = {};
  const text = readFileSync(path.join(PROD, 'group_vars/all.yml'), 'utf8');
  for (const m of text.matchAll(/!env\s+([A-Z0-9_]+)/g)) env[m[1]!] = 'spec-secret-value';
  return loadInventory(PROD, { env });
}

/**
 * What the role's resource-file task sees on `self`: the prod inventory's variables (plus `extra`), each
 * host's facts, and the version probe's output registered as drbd_version.
 */
function hostView(inv: Inventory, self: string, facts: Readonly<Record<string, Facts>>, probe: string, extra: Readonly<Record<string, Vars>>): HostView<DrbdVars> {
  const varsOf = (n: string): Vars => ({ ...inv.hosts.get(n as HostName)!.vars, ...extra[n] });
  const probeResult: CommandResult = { changed: false, ran: true, rc: 0, stdout: probe, stderr: '' };
  return {
    name: self as HostName,
    vars: drbdVars.parse(varsOf(self)),
    facts: facts[self]!,
    registered: <R extends ModuleResult>(name: string) => (name === 'drbd_version' ? (probeResult as unknown as R) : undefined),
    hostvars: (n) => ({ name: n as HostName, vars: varsOf(n), facts: facts[n]!, registered: () => undefined }),
    groups: Object.fromEntries(inv.groups),
    playHosts: inv.select('cluster'),
    checkMode: false,
  };
}

interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  /** stderr without the controller's own noise (drbdadm calls modinfo, which this machine lacks). */
  readonly stderr: string;
}

function drbdadm(tool: string, args: readonly string[]): ToolRun {
  const r = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l.trim() && !/modinfo: not found/.test(l))
    .join('\n');
  return { code: r.status ?? -1, stdout: r.stdout, stderr };
}

interface DumpedHost {
  readonly name: string;
  readonly device: string;
  readonly minor: string;
  readonly disk: string;
  readonly metaDisk: string;
  readonly address: string;
}

/** `drbdadm dump-xml`: the resource as drbdadm understood it. */
function dumpXml(tool: string, file: string): { hosts: DumpedHost[]; sections: Map<string, Map<string, string>> } {
  const r = drbdadm(tool, ['-c', file, 'dump-xml', 'replicate']);
  if (r.code !== 0) throw new Error(`${tool} dump-xml exited ${r.code}: ${r.stderr}`);
  const res = parseXml(r.stdout);
  const text = (el: XmlElement | undefined): string => el?.text.trim() ?? '';
  const hosts = childrenNamed(res, 'host').map((h) => {
    const vol = childNamed(h, 'volume')!;
    const addr = childNamed(h, 'address')!;
    return {
      name: h.attrs['name']!,
      device: text(childNamed(vol, 'device')),
      minor: childNamed(vol, 'device')!.attrs['minor']!,
      disk: text(childNamed(vol, 'disk')),
      metaDisk: text(childNamed(vol, 'meta-disk')),
      address: `${addr.attrs['family']}:${text(addr)}:${addr.attrs['port']}`,
    };
  });
  const sections = new Map(
    childrenNamed(res, 'section').map((s) => [s.attrs['name']!, new Map(childrenNamed(s, 'option').map((o) => [o.attrs['name']!, o.attrs['value']!]))]),
  );
  return { hosts, sections };
}

const FLAVORS = [
  {
    title: 'DRBD 9 (RHEL 8/9: kmod-drbd9x, drbd9x-utils)',
    probe: 'version-probe-9.txt',
    tool: DRBDADM_9,
    otherTool: DRBDADM_84,
    fencing: ['net', { fencing: 'resource-only' }],
    handlers: { 'fence-peer': '/usr/lib/drbd/crm-fence-peer.9.sh', 'unfence-peer': '/usr/lib/drbd/crm-unfence-peer.9.sh' },
    metaVersion: 'v09',
  },
  {
    title: "DRBD 8.4 (RHEL 7: the how-to's kmod-drbd84, drbd84-utils)",
    probe: 'version-probe-84.txt',
    tool: DRBDADM_84,
    otherTool: DRBDADM_9,
    fencing: ['disk', { fencing: 'resource-only' }],
    handlers: { 'fence-peer': '/usr/lib/drbd/crm-fence-peer.sh', 'after-resync-target': '/usr/lib/drbd/crm-unfence-peer.sh' },
    metaVersion: 'v08',
  },
] as const;

describe('the drbd role\'s resource file, judged by the real drbdadm', function () {
  this.timeout(60_000);
  let inv: Inventory;
  let dir: string;

  before(async function () {
    for (const tool of [DRBDADM_9, DRBDADM_84]) {
      if (spawnSync(tool, ['--version']).error) throw new Error(`${tool} is needed: apt-get install drbd-utils`);
    }
    // The checks below tell facts from inventory names only on a machine not called like an inventory host.
    expect(['vprotect1', 'vprotect2']).to.not.include(THIS_HOST);
    inv = await prodInventory();
    dir = mkdtempSync(path.join(tmpdir(), 'drbd-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * The file as the role renders it on vprotect1, with vprotect1 being this machine: its facts say
   * `uname -n` is THIS_HOST; its cluster address is a loopback one, so drbdadm's full check (the address
   * belongs to the node) passes here. vprotect2 keeps the prod inventory's address.
   */
  function renderOnThisMachine(probeFixture: string, hostnames: Readonly<Record<string, string>>): { file: string; text: string } {
    const facts = { vprotect1: fakeFacts(hostnames['vprotect1']!), vprotect2: fakeFacts(hostnames['vprotect2']!) };
    const view = hostView(inv, 'vprotect1', facts, fixture(probeFixture), { vprotect1: { cluster_address: '127.0.0.1' } });
    const text = renderTemplate(RESOURCE_TEMPLATE, resourceFileVars(view));
    const file = path.join(dir, `${Object.values(hostnames).join('-')}-${probeFixture.replace(/\.txt$/, '')}.res`);
    writeFileSync(file, text);
    return { file, text };
  }

  for (const f of FLAVORS) {
    describe(f.title, () => {
      const real = (): { file: string; text: string } => renderOnThisMachine(f.probe, { vprotect1: THIS_HOST, vprotect2: 'vprotect2' });

      it(`\`${f.tool} -c FILE dump replicate\` accepts it, on the node it names, without a warning`, () => {
        const r = drbdadm(f.tool, ['-c', real().file, 'dump', 'replicate']);
        expect(r.stderr).to.equal('');
        expect(r.code).to.equal(0);
        expect(r.stdout).to.match(/^resource replicate \{/m);
      });

      it('drbdadm reads both nodes by uname -n (facts), /dev/drbd0 minor 0 on /dev/sdb, internal metadata, port 7788, DRBD fencing', () => {
        const { hosts, sections } = dumpXml(f.tool, real().file);
        expect(hosts).to.deep.equal([
          { name: THIS_HOST, device: '/dev/drbd0', minor: '0', disk: '/dev/sdb', metaDisk: 'internal', address: 'ipv4:127.0.0.1:7788' },
          { name: 'vprotect2', device: '/dev/drbd0', minor: '0', disk: '/dev/sdb', metaDisk: 'internal', address: 'ipv4:10.40.1.52:7788' },
        ]);
        expect(Object.fromEntries(sections.get('net') ?? [])).to.include({ protocol: 'C' });
        const [section, fencing] = f.fencing;
        expect(Object.fromEntries(sections.get(section) ?? [])).to.include(fencing);
        expect(Object.fromEntries(sections.get('handlers') ?? [])).to.deep.equal(f.handlers);
      });

      it('a split brain is never resolved by discarding a side: after-sb-0pri, -1pri, -2pri and rr-conflict disconnect, handed to the kernel at connect', () => {
        const { sections } = dumpXml(f.tool, real().file);
        const policies = { 'after-sb-0pri': 'disconnect', 'after-sb-1pri': 'disconnect', 'after-sb-2pri': 'disconnect', 'rr-conflict': 'disconnect' };
        expect(Object.fromEntries(sections.get('net') ?? [])).to.include(policies);
        // 8.4 passes net options with `drbdsetup connect`, DRBD 9 with `new-peer`.
        const cmds = drbdadm(f.tool, ['-c', real().file, '-d', 'up', 'replicate']).stdout.trim().split('\n');
        const link = cmds.find((c) => / (connect|new-peer) replicate /.test(c)) ?? '';
        for (const [k, v] of Object.entries(policies)) expect(link, cmds.join('\n')).to.contain(`--${k}=${v}`);
      });

      it('the file is whole: every brace closed, the last one closing the resource', () => {
        const { text } = real();
        expect(braceProblem(text)).to.equal(undefined);
        expect(text.trimEnd().endsWith('\n}')).to.equal(true);
        expect(text).to.not.match(/\/dev\/mapper\/drbd/);
      });

      it('`drbdadm -d up` on this node: metadata and attach on /dev/sdb as minor 0, then the connection to vprotect2', () => {
        const r = drbdadm(f.tool, ['-c', real().file, '-d', 'up', 'replicate']);
        expect(r.code).to.equal(0);
        const cmds = r.stdout.trim().split('\n').map((l) => l.replace(/^\/usr\/lib\/drbd\//, '').replace(/^drbdsetup-84 /, 'drbdsetup '));
        expect(cmds).to.include(`drbdmeta 0 ${f.metaVersion} /dev/sdb internal apply-al`);
        expect(cmds.some((c) => c.startsWith('drbdsetup attach 0 /dev/sdb /dev/sdb internal'))).to.equal(true);
        const link = cmds.find((c) => c.includes('ipv4:127.0.0.1:7788 ipv4:10.40.1.52:7788'));
        expect(link, cmds.join('\n')).to.match(/^drbdsetup (new-path|connect) replicate /);
      });

      it(`the other dialect's drbdadm (${f.otherTool}) rejects it: the role must pick the host's dialect`, () => {
        const r = drbdadm(f.otherTool, ['-c', real().file, 'dump', 'replicate']);
        expect(r.code).to.equal(10);
        expect(r.stderr).to.match(/Parse error: .*but got 'fencing'/s);
      });

      it('a node named other than its uname -n (as the how-to\'s literal vprotect1 here) is not found by drbdadm on it', () => {
        const { file } = renderOnThisMachine(f.probe, { vprotect1: 'vprotect1', vprotect2: 'vprotect2' });
        const r = drbdadm(f.tool, ['-c', file, 'dump', 'replicate']);
        expect(r.code).to.not.equal(0);
        expect(r.stderr).to.equal("'replicate' not defined in your config (for this host).");
      });
    });
  }

  it('the dialect comes from the host: its kernel module, else the utilities (drbd-utils 9 without a module yet: DRBD 9)', () => {
    const dialect = (probe: string): boolean => {
      const facts = { vprotect1: fakeFacts('vprotect1'), vprotect2: fakeFacts('vprotect2') };
      return resourceFileVars(hostView(inv, 'vprotect1', facts, probe, {}))['drbd9'] === true;
    };
    expect(dialect(fixture('version-probe-9.txt'))).to.equal(true);
    expect(dialect(fixture('version-probe-84.txt'))).to.equal(false);
    expect(dialect(fixture('version-probe-no-module.txt'))).to.equal(true);
  });
});
