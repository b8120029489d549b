import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { loadInventory } from '../../../engine/inventory/load';
import type { Inventory } from '../../../engine/inventory/types';

const DIR = 'spec/fixtures/inventory/ini';
const GROUPS = 'all, cluster, db, dc, site, ungrouped, web';

describe('inventory: host patterns (select)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await loadInventory(DIR);
  });

  const cases: [string, string[]][] = [
    ['vprotect2', ['vprotect2']],
    ['cluster', ['vprotect1', 'vprotect2']],
    ['all', ['bastion', 'vprotect1', 'vprotect2', 'web01', 'web02', 'web03']],
    ['*', ['bastion', 'vprotect1', 'vprotect2', 'web01', 'web02', 'web03']],
    ['ungrouped', ['bastion']],
    ['web0*', ['web01', 'web02', 'web03']],
    ['w?b', ['web01', 'web02', 'web03']], // a glob matches group names too
    ['vprotect[12]*', ['vprotect1', 'vprotect2']], // a glob (a subscript would end the pattern)
    ['vprotect?[1]', ['vprotect2']], // the glob matches both, [1] takes the second
    ['web:bastion', ['web01', 'web02', 'web03', 'bastion']], // pattern order, as Ansible
    ['vprotect2,bastion', ['vprotect2', 'bastion']],
    ['dc:!web', ['vprotect1', 'vprotect2']],
    ['!web:dc', ['vprotect1', 'vprotect2']], // unions first, then &, then !
    ['dc:&db', ['vprotect1', 'vprotect2']],
    ['site:&web:!web02', ['web01', 'web03']],
    ['!cluster', ['bastion', 'web01', 'web02', 'web03']], // only exclusions: from all
    ['&web', ['web01', 'web02', 'web03']],
    ['web[0]', ['web01']],
    ['web[1:2]', ['web02', 'web03']],
    ['web[-1]', ['web03']],
    ['~web0[13]', ['web01', 'web03']],
    [' cluster , web01 ', ['vprotect1', 'vprotect2', 'web01']],
    ['nomatch*', []],
  ];
  for (const [pattern, hosts] of cases) {
    it(`'${pattern}' selects ${hosts.length > 0 ? hosts.join(', ') : 'nothing'}`, () => {
      expect(inv.select(pattern)).to.deep.equal(hosts);
    });
  }

  for (const [pattern, name] of [['vprotect3', 'vprotect3'], ['cluster:nosuch', 'nosuch'], ['cluster:!nosuch', 'nosuch'], ['cluster:&nosuch', 'nosuch'], ['cluster,nosuch', 'nosuch'], ['vprotect[12]', 'vprotect'], ['nosuch[0:2]', 'nosuch'], ['web:bastion,db', 'web:bastion']]) {
    it(`'${pattern}' names an unknown host or group: ConfigError naming it and the inventory`, () => {
      expect(() => inv.select(pattern!))
        .to.throw(ConfigError)
        .with.property('message', `no host or group named '${name}' in ${DIR} (groups: ${GROUPS})`);
    });
  }

  it('rejects an empty pattern and a broken regular expression', () => {
    expect(() => inv.select(' , ')).to.throw(ConfigError, "empty host pattern ' , '");
    expect(() => inv.select('~web[')).to.throw(ConfigError, "malformed host pattern '~web[' (unbalanced [ ])");
    expect(() => inv.select('~web(')).to.throw(ConfigError, "host pattern '~web(' is not a valid regular expression");
  });
});
