// One plan for listing and running: what --list-tasks prints is what the runner then runs, in that order,
// and the unknown-tag warning comes from the same plan (site.ts on a fake pair, several tag filters).
import { expect } from 'chai';
import YAML from 'yaml';
import type { RunEvent } from '../../../engine/runner/events';
import { site } from '../../../playbooks/site';
import { removeTempDirs, runMain, SITE_GROUP_VARS, SITE_HOSTS_YML, tempDir } from '../../support/cli-harness';
import { siteCluster } from '../../support/site-host';

async function site_(argv: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const dir = tempDir({ 'hosts.yml': SITE_HOSTS_YML, 'group_vars/all.yml': YAML.stringify(SITE_GROUP_VARS) });
  const cluster = siteCluster();
  return runMain(site, ['-i', dir, ...argv], { host: (e) => cluster.host(e.name) });
}

/** The task lines of --list-tasks: `role : name`, tags cut. */
async function listed(filter: readonly string[]): Promise<string[]> {
  const r = await site_(['--list-tasks', ...filter]);
  expect(r.code, r.err.join('\n')).to.equal(0);
  return r.out.filter((l) => l.startsWith('      ')).map((l) => l.trim().split('\t')[0]!);
}

/** The tasks a --json run started, in order, as the listing names them. */
async function ran(filter: readonly string[]): Promise<{ tasks: string[]; warnings: string[] }> {
  const r = await site_(['--json', ...filter]);
  expect(r.code, r.err.join('\n')).to.equal(0);
  const events = r.out.map((l) => JSON.parse(l) as RunEvent);
  return {
    tasks: events.flatMap((e) => (e.type === 'task' && e.task.kind !== 'handler' ? [e.task.role ? `${e.task.role} : ${e.task.name}` : e.task.name] : [])),
    warnings: events.flatMap((e) => (e.type === 'warning' ? [e.message] : [])),
  };
}

describe('plan: listing and running read one plan', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const filter of [[], ['--tags', 'mariadb'], ['--tags', 'pacemaker,common'], ['--skip-tags', 'mariadb,vprotect'], ['--tags', 'never']]) {
    it(`runs exactly the tasks --list-tasks prints, in order (${filter.join(' ') || 'no filter'})`, async () => {
      const want = await listed(filter);
      if (!filter.includes('never')) expect(want).to.not.deep.equal([]);
      const got = await ran(filter);
      expect(got.tasks).to.deep.equal(want);
      expect(got.warnings).to.deep.equal([]);
    });
  }

  it('warns about a tag no task carries, and lists no task for it', async () => {
    expect(await listed(['--tags', 'nosuch'])).to.deep.equal([]);
    const got = await ran(['--tags', 'nosuch']);
    expect(got.tasks).to.deep.equal([]);
    expect(got.warnings).to.deep.equal(["tag 'nosuch' is not used by any task of this playbook"]);
  });
});
