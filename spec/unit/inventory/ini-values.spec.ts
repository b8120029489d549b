import { expect } from 'chai';
import { expandHostRange } from '../../../engine/inventory/host-range';
import { splitWords, typeIniValue } from '../../../engine/inventory/ini-values';

describe('inventory: INI words, values and host ranges', () => {
  it('splits like shlex: quotes, escapes, comments; no shell expansion or operators', () => {
    expect(splitWords(`h a="x y" b='$HOME' c=$HOME d=a;b e=x|y f=*.z g=\\"q # comment`)).to.deep.equal([
      'h', 'a=x y', "b=$HOME", 'c=$HOME', 'd=a;b', 'e=x|y', 'f=*.z', 'g="q',
    ]);
    expect(() => splitWords(`h a='x`)).to.throw('no closing single quote');
  });

  it('types values as Ansible does', () => {
    expect(typeIniValue('22')).to.equal(22);
    expect(typeIniValue('-3')).to.equal(-3);
    expect(typeIniValue('0.5')).to.equal(0.5);
    expect(typeIniValue('007')).to.equal('007');
    expect(typeIniValue('true')).to.equal(true);
    expect(typeIniValue('False')).to.equal(false);
    expect(typeIniValue("'22'")).to.equal('22');
    expect(typeIniValue('10.40.1.50')).to.equal('10.40.1.50');
    expect(typeIniValue('99999999999999999999')).to.equal('99999999999999999999');
    expect(typeIniValue('yes')).to.equal('yes');
  });

  it('expands host ranges', () => {
    expect(expandHostRange('web[1:3]')).to.deep.equal(['web1', 'web2', 'web3']);
    expect(expandHostRange('web[08:10].lan')).to.deep.equal(['web08.lan', 'web09.lan', 'web10.lan']);
    expect(expandHostRange('db-[a:c]')).to.deep.equal(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('n[0:6:3]')).to.deep.equal(['n0', 'n3', 'n6']);
    expect(expandHostRange('r[1:2]c[a:b]')).to.deep.equal(['r1ca', 'r1cb', 'r2ca', 'r2cb']);
    expect(expandHostRange('plain')).to.deep.equal(['plain']);
    expect(() => expandHostRange('web[1]')).to.throw("range '[1]' must be [start:end] or [start:end:step]");
    expect(() => expandHostRange('web[1:a]')).to.throw("range '[1:a]' mixes or lacks bounds");
    expect(() => expandHostRange('web[0:99999]')).to.throw("range '[0:99999]' makes more than 10000 hosts");
    expect(() => expandHostRange('a[0:999]b[0:999]')).to.throw("'a[0:999]b[0:999]' makes more than 10000 hosts");
    expect(() => expandHostRange('web1]')).to.throw("unbalanced ']' in 'web1]'");
  });
});
