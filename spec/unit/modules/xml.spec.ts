import { expect } from 'chai';
import { canonicalXml, childNamed, descendantsNamed, parseXml } from '../../../modules/lib/xml';

describe('xml reader', () => {
  it('reads elements, attributes, entities, CDATA, and skips comments, PIs and DOCTYPE', () => {
    const doc = parseXml(`<?xml version="1.0"?>
<!DOCTYPE x>
<!-- a comment -->
<resultset statement="SELECT 1 &amp; 2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <row>
    <field name="a">x &lt;y&gt; &#65;&#x42; &quot;q&quot; &apos;s&apos;</field>
    <field name='b' xsi:nil="true" />
    <field name="c"><![CDATA[<raw> & stuff]]></field>
  </row>
</resultset>`);
    expect(doc.name).to.equal('resultset');
    expect(doc.attrs.statement).to.equal('SELECT 1 & 2');
    const fields = descendantsNamed(doc, 'field');
    expect(fields.map((f) => [f.attrs.name, f.text, f.attrs['xsi:nil']])).to.deep.equal([
      ['a', `x <y> AB "q" 's'`, undefined],
      ['b', '', 'true'],
      ['c', '<raw> & stuff', undefined],
    ]);
    expect(childNamed(doc, 'row')?.children).to.have.length(3);
  });

  it('keeps newlines and tabs in text', () => {
    expect(parseXml('<f>a\tb\nc</f>').text).to.equal('a\tb\nc');
  });

  it('rejects malformed documents with a position', () => {
    expect(() => parseXml('<a><b></a>')).to.throw(/closing tag <\/a> does not match <b> at offset/);
    expect(() => parseXml('<a>')).to.throw('unclosed element <a> at end of input');
    expect(() => parseXml('<a/><b/>')).to.throw(/second root/);
    expect(() => parseXml('<a>&nbsp;</a>')).to.throw(/unknown entity &nbsp;/);
    expect(() => parseXml('')).to.throw('no root element');
  });

  it('canonical form ignores attribute order and indentation', () => {
    const a = parseXml('<cib><configuration a="1" b="2">\n  <x/>\n</configuration></cib>');
    const b = parseXml('<cib><configuration b="2" a="1"><x></x></configuration></cib>');
    expect(canonicalXml(a)).to.equal(canonicalXml(b));
    expect(canonicalXml(a)).to.equal('<cib><configuration a="1" b="2"><x/></configuration></cib>');
  });
});
