// A small, strict XML reader for the documents modules parse: the pacemaker CIB and `mysql -X` output.
// Elements, attributes, text, CDATA, comments, processing instructions and the five named and numeric
// entities; no DTD processing (a DOCTYPE is skipped). Malformed input throws XmlError with a position.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside this element (not its children's). */
  readonly text: string;
}

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new XmlError(`bare '&' near offset ${at}`);
    if (ent.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(Number.parseInt(ent.slice(1), 10));
    const named = NAMED[ent];
    if (named === undefined) throw new XmlError(`unknown entity &${ent}; near offset ${at}`);
    return named;
  });
}

interface Building {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parse a whole document; returns its root element. */
export function parseXml(src: string): XmlElement {
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (why: string): never => {
    throw new XmlError(`${why} at offset ${i}`);
  };
  const skipPast = (end: string): void => {
    const j = src.indexOf(end, i);
    if (j < 0) fail(`unterminated construct (missing '${end}')`);
    i = j + end.length;
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? src.length : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(raw, i);
      else if (raw.trim()) fail('text outside the root element');
      i = textEnd;
      continue;
    }
    if (src.startsWith('<!--', i)) skipPast('-->');
    else if (src.startsWith('<?', i)) skipPast('?>');
    else if (src.startsWith('<![CDATA[', i)) {
      const j = src.indexOf(']]>', i);
      if (j < 0) fail('unterminated CDATA');
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA outside the root element');
      top!.text += src.slice(i + 9, j);
      i = j + 3;
    } else if (src.startsWith('<!', i)) skipPast('>');
    else if (src.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(src);
      if (!m) fail('bad closing tag');
      const open = stack.pop();
      if (!open || open.name !== m![0]) fail(`closing tag </${m![0]}> does not match <${open?.name ?? '(none)'}>`);
      i = NAME.lastIndex;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '>') fail('bad closing tag');
      i++;
      finish(open!);
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) fail('bad tag name');
      const el: Building = { name: m![0], attrs: {}, children: [], text: '' };
      i = NAME.lastIndex;
      for (;;) {
        ATTR.lastIndex = i;
        const a = ATTR.exec(src);
        if (!a) break;
        el.attrs[a[1]!] = decode(a[3] ?? a[4] ?? '', i);
        i = ATTR.lastIndex;
      }
      while (/\s/.test(src[i] ?? '')) i++;
      if (src.startsWith('/>', i)) {
        i += 2;
        finish(el);
      } else if (src[i] === '>') {
        i++;
        if (!stack.length && root) fail('a second root element');
        stack.push(el);
      } else fail(`bad attribute syntax in <${el.name}>`);
    }
  }
  if (stack.length) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.name}> at end of input`);
  if (!root) throw new XmlError('no root element');
  return root;

  function finish(el: Building): void {
    const done: XmlElement = { name: el.name, attrs: el.attrs, children: el.children, text: el.text };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(done);
    else if (root) fail('a second root element');
    else root = done;
  }
}

/** Direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first direct child named `name`. */
export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every element below `el` (depth first, document order) named `name`. */
export function descendantsNamed(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * One-line canonical form: attributes sorted, whitespace-only text dropped. Two documents with the same
 * canonical form mean the same configuration, whatever their indentation or attribute order.
 */
export function canonicalXml(el: XmlElement, ignoreAttrs: ReadonlySet<string> = new Set()): string {
  const attrs = Object.keys(el.attrs)
    .filter((k) => !ignoreAttrs.has(k))
    .sort()
    .map((k) => ` ${k}="${esc(el.attrs[k]!)}"`)
    .join('');
  const text = el.text.trim() ? esc(el.text) : '';
  const inner = text + el.children.map((c) => canonicalXml(c, ignoreAttrs)).join('');
  return inner ? `<${el.name}${attrs}>${inner}</${el.name}>` : `<${el.name}${attrs}/>`;
}

/** Indented rendering for --diff output. */
export function prettyXml(el: XmlElement, indent = ''): string {
  const attrs = Object.keys(el.attrs)
    .map((k) => ` ${k}="${esc(el.attrs[k]!)}"`)
    .join('');
  const text = el.text.trim();
  if (!el.children.length) return text ? `${indent}<${el.name}${attrs}>${esc(text)}</${el.name}>` : `${indent}<${el.name}${attrs}/>`;
  const inner = el.children.map((c) => prettyXml(c, indent + '  ')).join('\n');
  return `${indent}<${el.name}${attrs}>${text ? esc(text) : ''}\n${inner}\n${indent}</${el.name}>`;
}
