// Seeded fuzz of role variables through a full main() run of the site playbook on fake hosts: every
// generated set carries at least one defect (wrong type, missing, bad address, bad enum...) among random
// junk (huge strings, nested values, odd keys), and every run must end the same clean way: exit 1,
// one `ERROR:` line (continuation lines indented), no stack trace, no exception, no host touched.
import { expect } from 'chai';
import YAML from 'yaml';
import { site } from '../../../playbooks/site';
import { opCount, removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';
import { prng } from '../../support/prng';


type Rand = ReturnType<typeof prng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Values that are nothing a role expects: nested maps and lists, nulls, odd scalars. */
function junk(r: Rand, depth = 0): unknown {
  const kind = int(r, 0, depth > 3 ? 4 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1.5, 1e308, -0, 65536, Number.MAX_SAFE_INTEGER]);
    case 3:
      return pick(r, ['', ' ', '\t\n', '{{x}}', '$(reboot)', "'; DROP TABLE x; --", '\u0000nul', 'ünïcødé', '%s%n']);
    case 4:
      return 'A'.repeat(int(r, 1, 3) * 100_000);
    case 5:
      return Array.from({ length: int(r, 0, 4) }, () => junk(r, depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: int(r, 0, 4) }, (_, i) => [pick(r, ['a', 'constructor', 'toString', 'valueOf', `k${i}`]), junk(r, depth + 1)]));
    default:
      return { nested: { deeper: [junk(r, depth + 1), { x: junk(r, depth + 1) }] } };
  }
}

const BAD_IPV4 = ['10.40.1.300', '256.0.0.1', '1.2.3', '1.2.3.4.5', 'a.b.c.d', ' 198.18.0.1', '198.18.0.1/24', '::1', '', '198.18.0.-1'];
const notString = (r: Rand): unknown => pick(r, [42, true, null, [], ['198.18.0.1'], { ip: '198.18.0.1' }, 1.5]);
const notNumber = (r: Rand): unknown => pick(r, ['x', '24', true, null, [], { n: 24 }, '']);
const notBoolean = (r: Rand): unknown => pick(r, ['yes', 'true', 1, 0, null, [], {}]);

/**
 * A defect per variable: each returns a value the variable's schema rejects, or undefined for "missing"
 * where the variable is required.
 */
const DEFECTS: Readonly<Record<string, (r: Rand) => unknown>> = {
  cluster_vip: (r) => (r() < 0.2 ? undefined : r() < 0.6 ? pick(r, BAD_IPV4) : notString(r)),
  ping_gateway: (r) => (r() < 0.2 ? undefined : r() < 0.6 ? pick(r, BAD_IPV4) : notString(r)),
  cluster_address: (r) => (r() < 0.6 ? pick(r, BAD_IPV4) : notString(r)),
  cluster_vip_cidr_netmask: (r) => (r() < 0.5 ? pick(r, [0, 33, -1, 24.5, 1000]) : notNumber(r)),
  hacluster_password: (r) => (r() < 0.3 ? undefined : r() < 0.6 ? pick(r, ['', 'short', '1234567']) : notString(r)),
  mariadb_replicator_password: (r) => (r() < 0.3 ? undefined : r() < 0.6 ? pick(r, ['', 'tiny']) : notString(r)),
  vprotect_admin_password: (r) => (r() < 0.3 ? undefined : r() < 0.6 ? 'seven77' : notString(r)),
  cluster_name: (r) => (r() < 0.6 ? pick(r, ['', 'has space', 'x'.repeat(33), 'semi;colon', 'A'.repeat(200_000)]) : notString(r)),
  preferred_node: (r) => (r() < 0.6 ? pick(r, ['vprotect3', 'VPROTECT1', '', 'A'.repeat(100_000)]) : notString(r)),
  mariadb_port: (r) => pick(r, [0, 70000, -1, 1.5, 'abc', '', null, [], {}]),
  drbd_port: (r) => pick(r, [0, 65536, 'ssh', null, [3306]]),
  ping_dampen: (r) => pick(r, ['soon', '5 s', '', 5, null]),
  pacemaker_no_quorum_policy: (r) => pick(r, ['maybe', '', 'IGNORE', 1, null]),
  pacemaker_stonith_enabled: notBoolean,
  drbd_enabled: notBoolean,
  mariadb_replace_peer_database: notBoolean,
  mariadb_semi_sync: notBoolean,
  mariadb_semi_sync_timeout_ms: (r) => (r() < 0.5 ? pick(r, [0, -1, 1.5, 1e300]) : notNumber(r)),
  pacemaker_destroy_foreign_cluster: notBoolean,
  mariadb_database: (r) => pick(r, ['bad-name!', '', 'v p', '`x`', 7, null]),
  vprotect_api_url: (r) => pick(r, ['not a url', '', '127.0.0.1:8080', 8080, null]),
  vdo_logical_size: (r) => pick(r, ['400GB', '400', 'big', '', 400, null]),
  common_extra_packages: (r) => pick(r, ['pkg', [1, 2], [null], { a: 'b' }, null]),
  cluster_managed_services: (r) => pick(r, ['mariadb', [{}], null, 5]),
  pacemaker_preferred_score: (r) => pick(r, ['high', 'infinity', 1.5, null, []]),
  data_fstype: (r) => pick(r, ['btrfs', '', 'XFS', 3, null]),
  drbd_disk: (r) => pick(r, ['sdb', '', 'dev/sdb', 5, null]),
};

/** Keys a user might set that no role reads: anything goes there, so they get the worst junk. */
const STRAY_KEYS = ['notes', 'x', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'deep', 'ansible_python_interpreter'];

interface Case {
  readonly seed: number;
  /** The defective variables, for the failure message. */
  readonly defects: string[];
  readonly vars: Record<string, unknown>;
  /** How they reach the run: group_vars, host_vars or -e JSON. */
  readonly via: 'group_vars' | 'host_vars' | 'extra_vars';
}

function makeCase(seed: number): Case {
  const r = prng(seed);
  const vars: Record<string, unknown> = { ...SITE_GROUP_VARS };
  const names = Object.keys(DEFECTS);
  const defects = [...new Set(Array.from({ length: int(r, 1, 4) }, () => pick(r, names)))];
  for (const name of defects) {
    const v = DEFECTS[name]!(r);
    if (v === undefined) delete vars[name];
    else vars[name] = v;
  }
  for (let i = int(r, 0, 3); i > 0; i--) vars[pick(r, STRAY_KEYS)] = junk(r);
  const via = pick(r, ['group_vars', 'host_vars', 'extra_vars'] as const);
  return { seed, defects, vars, via };
}

/** Files and argv for a case: the defects travel the chosen way, the rest stays in group_vars. */
function materialize(c: Case): { dir: string; argv: string[] } {
  const valid = Object.fromEntries(Object.entries(SITE_GROUP_VARS).filter(([k]) => !c.defects.includes(k)));
  const changed = Object.fromEntries(Object.entries(c.vars).filter(([k]) => !(k in valid) || c.vars[k] !== valid[k]));
  switch (c.via) {
    case 'group_vars':
      return { dir: tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(c.vars) }), argv: [] };
    case 'host_vars': {
      // Both hosts get the bad values: a defect on one host only would still have to stop the run.
      const files: Record<string, string> = { 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(valid) };
      const targets = c.seed % 2 ? ['vprotect1'] : ['vprotect1', 'vprotect2'];
      for (const h of targets) files[`host_vars/${h}.yml`] = YAML.stringify(changed);
      // A missing variable must be missing for every host: keep it out of group_vars too (already filtered).
      return { dir: tempDir(files), argv: [] };
    }
    case 'extra_vars': {
      // -e has the highest precedence; a "missing" defect cannot be expressed there, so it stays missing from group_vars.
      const present = Object.fromEntries(Object.entries(changed).filter(([, v]) => v !== undefined));
      return { dir: tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(valid) }), argv: ['-e', JSON.stringify(present)] };
    }
  }
}

const CASES = 160;
const FIRST_SEED = 0x5afe7;

describe('safety: fuzzed role variables through main() on the site playbook', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it(`${CASES} seeded malformed variable sets: each exits 1 with one ERROR line, no stack trace, no host touched`, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(FIRST_SEED + i);
      const { dir, argv } = materialize(c);
      const label = `seed ${c.seed} (${c.via}; defects: ${c.defects.join(', ')})`;
      let run;
      try {
        run = await runMain(site, ['-i', dir, ...argv]);
      } catch (e) {
        expect.fail(`${label}: main() threw ${(e as Error).stack ?? String(e)}`);
      }
      const text = run.err.join('\n');
      const lines = text.split('\n');
      expect(run.code, `${label}: exit code; stderr: ${text.slice(0, 400)}`).to.equal(1);
      expect(lines.filter((l) => l.startsWith('ERROR: ')), `${label}: ERROR lines`).to.have.length(1);
      expect(lines[0], label).to.match(/^ERROR: /);
      expect(lines.slice(1).every((l) => l.startsWith('  ')), `${label}: continuation lines are indented`).to.equal(true);
      expect(text, `${label}: no stack trace`).not.to.match(/^\s+at .+[(:]\d+/m);
      expect(text, `${label}: no internal error names`).not.to.match(/TypeError|ReferenceError|RangeError|SyntaxError|Maximum call stack/);
      expect(run.hosts.size + opCount(run), `${label}: hosts touched`).to.equal(0);
      // Huge values are cut in messages: a 100 KB variable must not become a 100 KB error line.
      expect(text.length, `${label}: message size`).to.be.below(16_000);
      // Whichever defect is reported, its variable is named (the first line or an indented one).
      expect(c.defects.some((d) => text.includes(d)), `${label}: names a defective variable; got ${text.slice(0, 300)}`).to.equal(true);
      c.defects.forEach((d) => seen.add(d));
      removeTempDirs();
    }
    // The seeds reach most of the defect kinds, so the fuzz is not stuck on one path.
    expect(seen.size).to.be.greaterThan(Object.keys(DEFECTS).length * 0.8);
  });

  it('a 200 KB value in each checked string variable alone: exit 1, the message stays short', async () => {
    const huge = 'A'.repeat(200_000);
    const names = ['cluster_vip', 'ping_gateway', 'cluster_address', 'preferred_node', 'cluster_name', 'mariadb_database', 'vprotect_api_url', 'ping_dampen', 'data_fstype', 'drbd_disk', 'vdo_logical_size'];
    for (const name of names) {
      const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify({ ...SITE_GROUP_VARS, [name]: huge }) });
      const run = await runMain(site, ['-i', dir]);
      const text = run.err.join('\n');
      expect(run.code, name).to.equal(1);
      expect(text, name).to.match(/^ERROR: /).and.to.contain(name);
      expect(text.length, `${name}: message size`).to.be.below(16_000);
      expect(run.hosts.size, name).to.equal(0);
    }
  });
});
