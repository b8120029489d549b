import { expect } from 'chai';
import { editLine } from '../../../../modules/lib/text/line-edit';

describe('lineinfile edit (pure)', () => {
  it('replaces the last line matching regexp, keeping its line ending', () => {
    expect(editLine('a=1\r\nb=2\na=3\n', { state: 'present', regexp: /^a=/, line: 'a=9' })).to.equal('a=1\r\nb=2\na=9\n');
    expect(editLine('x\na=1\r\n', { state: 'present', regexp: /^a=/, line: 'a=9' })).to.equal('x\na=9\r\n');
  });

  it('leaves an identical line alone when regexp matches nothing', () => {
    expect(editLine('keep\nline\n', { state: 'present', regexp: /^nomatch/, line: 'line' })).to.equal('keep\nline\n');
  });

  it('appends at EOF, adding the missing final newline first', () => {
    expect(editLine('a\nb', { state: 'present', line: 'c' })).to.equal('a\nb\nc\n');
    expect(editLine('', { state: 'present', line: 'c' })).to.equal('c\n');
  });

  it('inserts after the last insertafter match, before the last insertbefore match, or at BOF', () => {
    const text = '[a]\nx\n[a]\ny\n';
    expect(editLine(text, { state: 'present', line: 'new', insertafter: /^\[a\]/ })).to.equal('[a]\nx\n[a]\nnew\ny\n');
    expect(editLine(text, { state: 'present', line: 'new', insertbefore: /^\[a\]/ })).to.equal('[a]\nx\nnew\n[a]\ny\n');
    expect(editLine(text, { state: 'present', line: 'new', insertbefore: 'BOF' })).to.equal('new\n[a]\nx\n[a]\ny\n');
    expect(editLine(text, { state: 'present', line: 'new', insertafter: /^nothing/ }), 'no match: EOF').to.equal(text + 'new\n');
  });

  it('removes every matching line for absent, by regexp or exact line', () => {
    expect(editLine('a\n#a\na\nb', { state: 'absent', line: 'a' })).to.equal('#a\nb');
    expect(editLine('SELINUX=x\nSELINUXTYPE=y\n', { state: 'absent', regexp: /^SELINUX=/ })).to.equal('SELINUXTYPE=y\n');
  });
});
