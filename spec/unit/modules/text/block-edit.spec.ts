import { expect } from 'chai';
import { editBlock, type BlockEdit } from '../../../../modules/lib/text/block-edit';

const base: BlockEdit = { state: 'present', block: 'one\ntwo', beginMarker: '# BEGIN X', endMarker: '# END X' };

describe('blockinfile edit (pure)', () => {
  it('appends a marked block at EOF', () => {
    expect(editBlock('keep', base)).to.equal('keep\n# BEGIN X\none\ntwo\n# END X\n');
  });

  it('replaces the lines between the markers and nothing else', () => {
    const text = 'a\n# BEGIN X\nold\n# END X\nb\n';
    expect(editBlock(text, base)).to.equal('a\n# BEGIN X\none\ntwo\n# END X\nb\n');
    expect(editBlock(editBlock(text, base), base), 'stable').to.equal(editBlock(text, base));
  });

  it('removes the block with state absent or an empty block; absent markers change nothing', () => {
    const text = 'a\n# BEGIN X\nold\n# END X\nb\n';
    expect(editBlock(text, { ...base, state: 'absent' })).to.equal('a\nb\n');
    expect(editBlock(text, { ...base, block: '' })).to.equal('a\nb\n');
    expect(editBlock('a\n', { ...base, state: 'absent' })).to.equal('a\n');
  });

  it('inserts before a pattern or at BOF', () => {
    expect(editBlock('x\nexit 0\n', { ...base, insertbefore: /^exit/ })).to.equal('x\n# BEGIN X\none\ntwo\n# END X\nexit 0\n');
    expect(editBlock('x\n', { ...base, insertbefore: 'BOF' })).to.equal('# BEGIN X\none\ntwo\n# END X\nx\n');
  });

  it('keeps a final END marker without newline as it was', () => {
    expect(editBlock('a\n# BEGIN X\none\ntwo\n# END X', base)).to.equal('a\n# BEGIN X\none\ntwo\n# END X');
  });
});
