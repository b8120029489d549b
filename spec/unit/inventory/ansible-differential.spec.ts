// Every inventory of the corpus (spec/fixtures/inventories) against the real Ansible: hosts, each group's direct
// hosts and children, every host's merged variables with their JSON types, and the hosts (in order) of each group
// and of each case's patterns. Deliberate differences assert our error and what Ansible does instead.
import { expect } from 'chai';
import { ansible, requireAnsible } from '../../support/ansible';
import { askAnsible, differences, loadCorpus, type AnsibleAnswer } from '../../support/inventory-differential';

describe('inventory: the same as Ansible (differential, against ansible-inventory and ansible)', function () {
  this.timeout(300000);
  const cases = loadCorpus();
  let answers: Map<string, AnsibleAnswer>;
  before(async function () {
    requireAnsible(this);
    answers = await askAnsible(cases);
  });

  it('has a corpus of at least 40 inventories', () => {
    expect(cases.length).to.be.at.least(40);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.why}`, async () => {
      const found = await differences(c, answers.get(c.name)!);
      expect(found, `\n${found.join('\n')}\n`).to.deep.equal([]);
    });
  }

  it('the batched pattern queries answer as the ansible command itself does (a sample)', () => {
    const sample = cases.filter((c) => !c.deliberate && !c.env && (c.patterns?.length ?? 0) > 0).slice(0, 3);
    for (const c of sample) {
      const pattern = c.patterns![0]!;
      const direct = ansible('ansible', [...c.args.map((a) => a.split('CASE/').join(`${c.dir}/`)), pattern, '--list-hosts'], { cwd: c.dir });
      expect(direct.stdout, `${c.name} ${pattern}`).to.equal(answers.get(c.name)!.patterns.get(pattern)!.stdout);
    }
  });
});
