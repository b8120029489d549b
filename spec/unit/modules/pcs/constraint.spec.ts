// pcs_constraint on fake hosts serving recorded CIBs: found by subject, stable ids, dialect role names.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { pcsConstraint, type PcsConstraintParams } from '../../../../modules/pcs';
import { normalRule, ruleText } from '../../../../modules/pcs/constraint';
import { parseCib } from '../../../../modules/pcs/cib';
import { moduleContext } from '../../../support/module-context';
import { changing, fixture, pcsHost } from './pcs-fakes';

const EMPTY = fixture('cib-empty-0.11.xml');
const HOWTO = fixture('cib-howto-0.11.xml');
const HOWTO_09 = fixture('cib-howto-0.9.xml');
const pcs = (...words: string[]): string => sh`pcs ${words}`;

async function run(p: PcsConstraintParams, cib: string, version = '0.11.5', check = false) {
  const h = pcsHost('vprotect1', { cib, version });
  const r = await pcsConstraint(p).run(moduleContext(h, { check }));
  return { h, r };
}

const pingRule: PcsConstraintParams = { kind: 'location_rule', resource: 'Failover_IP', rule: 'pingd lt 1 or not_defined pingd', score: '-INFINITY' };
const coloc: PcsConstraintParams = { kind: 'colocation', resource: 'vProtect-group', with: 'replicateClone', withRole: 'Promoted' };
const order: PcsConstraintParams = { kind: 'order', first: 'replicateClone', firstAction: 'promote', then: 'vProtect-group', thenAction: 'start' };
const prefers: PcsConstraintParams = { kind: 'location', resource: 'Failover_IP', node: 'vprotect1' };

describe('pcs_constraint', () => {
  it('adds each kind with a stable id in pcs\'s own naming', async () => {
    const cases: [PcsConstraintParams, string][] = [
      [prefers, pcs('constraint', 'location', 'add', 'location-Failover_IP-vprotect1-INFINITY', 'Failover_IP', 'vprotect1', 'INFINITY')],
      [{ ...prefers, node: 'vprotect2', score: -100 }, pcs('constraint', 'location', 'add', 'location-Failover_IP-vprotect2--100', 'Failover_IP', 'vprotect2', '-100')],
      [pingRule, pcs('constraint', 'location', 'Failover_IP', 'rule', 'constraint-id=location-Failover_IP-rule', 'score=-INFINITY', 'pingd', 'lt', '1', 'or', 'not_defined', 'pingd')],
      [coloc, pcs('constraint', 'colocation', 'add', 'vProtect-group', 'with', 'Promoted', 'replicateClone', 'INFINITY', 'id=colocation-vProtect-group-replicateClone-INFINITY')],
      [order, pcs('constraint', 'order', 'promote', 'replicateClone', 'then', 'start', 'vProtect-group', 'id=order-replicateClone-vProtect-group-mandatory')],
      [{ kind: 'order', first: 'a', then: 'b', type: 'Optional', symmetrical: false, id: 'my-order' }, pcs('constraint', 'order', 'start', 'a', 'then', 'start', 'b', 'kind=Optional', 'symmetrical=false', 'id=my-order')],
    ];
    for (const [p, cmd] of cases) {
      const { h, r } = await run(p, EMPTY);
      expect(r.changed).to.equal(true);
      expect(changing(h)).to.deep.equal([cmd]);
    }
  });

  it('speaks each dialect\'s role names: master (0.9), Master (0.10 < 0.10.10), Promoted (0.11)', async () => {
    const word = async (version: string) => changing((await run(coloc, EMPTY, version)).h)[0];
    expect(await word('0.9.169')).to.equal(pcs('constraint', 'colocation', 'add', 'vProtect-group', 'with', 'master', 'replicateClone', 'INFINITY', 'id=colocation-vProtect-group-replicateClone-INFINITY'));
    expect(await word('0.10.8')).to.contain(sh`${['with', 'Master', 'replicateClone']}`);
    expect(await word('0.11.5')).to.contain(sh`${['with', 'Promoted', 'replicateClone']}`);
    const rule = changing((await run({ ...pingRule, role: 'Promoted' }, EMPTY, '0.9.169')).h)[0];
    expect(rule).to.contain(sh`${'role=master'}`);
  });

  it('is a no-op when an equal constraint exists, whatever its id and role spelling (second run)', async () => {
    for (const p of [pingRule, coloc, order, prefers]) {
      const { h, r } = await run(p, HOWTO);
      expect(r.changed, JSON.stringify(p)).to.equal(false);
      expect(changing(h)).to.deep.equal([]);
    }
    // 0.9 CIB: with-rsc-role="Master" equals the wanted Promoted role
    for (const p of [coloc, order, prefers]) expect((await run(p, HOWTO_09, '0.9.169')).r.changed).to.equal(false);
    // a hand-made constraint with another id counts too
    const r = await run({ ...coloc, id: 'my-colocation' }, HOWTO);
    expect(r.r).to.deep.include({ changed: false, id: 'colocation-vProtect-group-replicateClone-INFINITY' });
  });

  it('replaces a constraint on the same subject that differs', async () => {
    const { h, r } = await run({ ...coloc, withRole: undefined, score: 500 }, HOWTO);
    expect(r.replaced).to.deep.equal(['colocation-vProtect-group-replicateClone-INFINITY']);
    expect(r.msg).to.equal('replace colocation-vProtect-group-replicateClone-INFINITY with colocation vProtect-group with replicateClone (colocation-vProtect-group-replicateClone-500)');
    expect(changing(h)).to.deep.equal([
      pcs('constraint', 'remove', 'colocation-vProtect-group-replicateClone-INFINITY'),
      pcs('constraint', 'colocation', 'add', 'vProtect-group', 'with', 'replicateClone', '500', 'id=colocation-vProtect-group-replicateClone-500'),
    ]);
  });

  it('replaces a rule with the same id but another expression', async () => {
    const { h } = await run({ ...pingRule, rule: 'pingd lt 2' }, HOWTO);
    expect(changing(h)).to.deep.equal([
      pcs('constraint', 'remove', 'location-Failover_IP-rule'),
      pcs('constraint', 'location', 'Failover_IP', 'rule', 'constraint-id=location-Failover_IP-rule', 'score=-INFINITY', 'pingd', 'lt', '2'),
    ]);
  });

  it('removes with state absent, and is a no-op when already absent', async () => {
    const gone = await run({ ...order, state: 'absent' }, HOWTO);
    expect(changing(gone.h)).to.deep.equal([pcs('constraint', 'remove', 'order-replicateClone-vProtect-group-mandatory')]);
    const none = await run({ ...order, state: 'absent' }, EMPTY);
    expect(none.r).to.deep.include({ changed: false, msg: 'constraint absent' });
  });

  it('under --check reports and runs no changing command', async () => {
    const { h, r } = await run({ ...coloc, score: 500 }, HOWTO, '0.11.5', true);
    expect(r.changed).to.equal(true);
    expect(r.msg).to.match(/^would replace /);
    expect(changing(h)).to.deep.equal([]);
  });

  it('renders CIB rules back to pcs words for comparison', () => {
    const cib = parseCib(HOWTO, 'fixture');
    const loc = cib.constraints.find((c) => c.id === 'location-Failover_IP-rule');
    expect(loc?.type === 'location' && ruleText(loc.rules[0]!)).to.equal('pingd lt 1 or not_defined pingd');
    expect(normalRule('  pingd  LT number 1 OR not_defined pingd ')).to.equal('pingd lt 1 or not_defined pingd');
  });

  it('rejects an id pacemaker would not accept', () => {
    expect(() => pcsConstraint({ ...prefers, id: '1bad' }).preflight?.()).to.throw('invalid constraint id "1bad"');
  });
});
