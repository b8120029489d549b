import { expect } from 'chai';
import { parseAddress } from '../../../engine/inventory/addresses';
import { expandHostRange } from '../../../engine/inventory/host-range';
import { shlexSplit, typeIniValue } from '../../../engine/inventory/ini-values';
import { pythonFloatRepr, UnsupportedLiteral } from '../../../engine/inventory/python-literal';

describe('inventory: INI words, values, addresses and host ranges', () => {
  it("splits like Python's shlex (POSIX, comments): quotes, escapes, '#' starts a comment even mid-word", () => {
    expect(shlexSplit(`h a="x y" b='$HOME' c=$HOME d=a;b e=x|y f=*.z g=\\"q h="a\\"b\\c" i=''`)).to.deep.equal([
      'h', 'a=x y', 'b=$HOME', 'c=$HOME', 'd=a;b', 'e=x|y', 'f=*.z', 'g="q', 'h=a"b\\c', 'i=',
    ]);
    expect(shlexSplit('h a=b#not-a-value c=d')).to.deep.equal(['h', 'a=b']);
    expect(() => shlexSplit(`h a='x`)).to.throw('No closing quotation');
    expect(() => shlexSplit('h a=x\\')).to.throw('No escaped character');
  });

  it('types values with Python literal rules, as Ansible does (the differential spec checks them against Ansible)', () => {
    const cases: [string, unknown][] = [
      ['22', 22], ['-3', -3], ['0.5', 0.5], ['1e3', 1000], ['0x1F', 31], ['0o17', 15], ['0b101', 5], ['1_000', 1000],
      ['007', '007'], ['00', 0], ['True', true], ['False', false], ['None', null], ['true', 'true'], ['yes', 'yes'],
      ["'22'", '22'], ['"a" \'b\'', 'ab'], ['[1, "a", None]', [1, 'a', null]], ["{'a': 1, 2: True}", { a: 1, '2': true }],
      ['(1, 2)', [1, 2]], ['10.40.1.50', '10.40.1.50'], ['value # text', 'value # text'], ['"v" # text', 'v'],
      ['1+2', '1+2'], ['-True', '-True'], ['a  b', 'a  b'], ["r'\\d'", '\\d'], ["'\\x41\\n'", 'A\n'],
    ];
    for (const [text, value] of cases) expect(typeIniValue(text), text).to.deep.equal(value);
  });

  it('refuses literals JSON cannot hold the way Python does', () => {
    for (const text of ['99999999999999999999', '{1, 2}', '1j', '...', '{(1, 2): 3}']) {
      expect(() => typeIniValue(text), text).to.throw(UnsupportedLiteral);
    }
  });

  it("writes float keys as Python's repr does", () => {
    expect([1, 1.5, 1e16, 1e-5, 0.0001, 123456.789, -2].map(pythonFloatRepr)).to.deep.equal([
      '1.0', '1.5', '1e+16', '1e-05', '0.0001', '123456.789', '-2.0',
    ]);
  });

  it("parses host words with ports as Ansible's parse_address does", () => {
    expect(parseAddress('web1:2222', true)).to.deep.equal({ host: 'web1', port: 2222 });
    expect(parseAddress('[2001:db8::10]:2222', true)).to.deep.equal({ host: '2001:db8::10', port: 2222 });
    expect(parseAddress('2001:db8::10', true)).to.deep.equal({ host: '2001:db8::10' });
    expect(parseAddress('10.0.0.1:22', false)).to.deep.equal({ host: '10.0.0.1', port: 22 });
    expect(parseAddress('web[01:03]:22', true)).to.deep.equal({ host: 'web[01:03]', port: 22 });
    expect(parseAddress('web[01:03]', false)).to.equal(undefined);
    expect(parseAddress('bad_-', true)).to.equal(undefined);
  });

  it('expands host ranges as Ansible does, and refuses what it refuses', () => {
    expect(expandHostRange('web[1:3]')).to.deep.equal(['web1', 'web2', 'web3']);
    expect(expandHostRange('web[08:10].lan')).to.deep.equal(['web08.lan', 'web09.lan', 'web10.lan']);
    expect(expandHostRange('db-[a:c]')).to.deep.equal(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('x[y:B]')).to.deep.equal(['xy', 'xz', 'xA', 'xB']);
    expect(expandHostRange('n[0:6:3]')).to.deep.equal(['n0', 'n3', 'n6']);
    expect(expandHostRange('n[:2]')).to.deep.equal(['n0', 'n1', 'n2']);
    expect(expandHostRange('r[1:2]c[a:b]')).to.deep.equal(['r1ca', 'r1cb', 'r2ca', 'r2cb']);
    expect(expandHostRange('plain')).to.deep.equal(['plain']);
    expect(() => expandHostRange('web[01:100]')).to.throw('host range must specify equal-length begin and end formats');
    expect(() => expandHostRange('web[1]')).to.throw('host range must be begin:end or begin:end:step');
    expect(() => expandHostRange('web[1:]')).to.throw('host range must specify end value');
    expect(() => expandHostRange('web[c:a]')).to.throw('host range must have begin <= end');
    expect(() => expandHostRange('web[1:a]')).to.throw("range '[1:a]' mixes or lacks bounds");
    // Deliberately stricter than Ansible (which makes no host, or 100000 of them):
    expect(() => expandHostRange('web[3:1]')).to.throw("range '[3:1]' ends before it starts");
    expect(() => expandHostRange('web[0:99999]')).to.throw("range '[0:99999]' makes more than 10000 hosts");
  });
});
