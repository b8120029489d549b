// Python's ast.literal_eval as Ansible's INI plugin applies it to every value: numbers, strings, True/False/None,
// lists, tuples and dicts become typed values; anything else (a name, an expression, a syntax error) stays the text.
// Values JSON cannot hold the way Python does (complex numbers, sets, integers beyond 2^53, unhashable or tuple
// keys) are refused with a reason instead of being silently changed.

/** A literal Python has but this engine refuses: the caller turns it into a ConfigError with file:line. */
export class UnsupportedLiteral extends Error {}

/** Python's literal_eval(text), or `text` itself where Python raises ValueError/SyntaxError. */
export function literalEval(text: string): unknown {
  let parsed: PyValue;
  try {
    parsed = new Parser(text.replace(/^[ \t]+/, '')).parseExpression();
  } catch (e) {
    if (e instanceof NotLiteral) return text;
    throw e;
  }
  return toJs(parsed);
}

/** Python's repr() of a float, as json.dumps writes a float dict key ("1.0", "1e+16"). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, (mantissa.replace(/^-/, '').replace('.', '').length - 1) - exp));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

class NotLiteral extends Error {}

type PyValue =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'complex' }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: string }
  | { readonly kind: 'const'; readonly value: boolean | null }
  | { readonly kind: 'ellipsis' }
  | { readonly kind: 'list' | 'tuple' | 'set'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [PyValue, PyValue])[] };

const fail = (): never => {
  throw new NotLiteral();
};

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseExpression(): PyValue {
    const value = this.value();
    if (this.peekToken() === ',') {
      // `1, 2` is a tuple at the top level too.
      const items = [value];
      while (this.eat(',')) {
        if (this.atEnd()) break;
        items.push(this.value());
      }
      this.expectEnd();
      return { kind: 'tuple', items };
    }
    this.expectEnd();
    return value;
  }

  private expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.src.length) fail();
  }

  private atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.src.length;
  }

  /** Spaces, tabs, form feeds, backslash-newline joins and # comments (a value is one line). */
  private skipSpace(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      else if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') this.pos = this.src.length;
      else return;
    }
  }

  private peekToken(): string | undefined {
    this.skipSpace();
    return this.src[this.pos];
  }

  private eat(token: string): boolean {
    if (this.peekToken() === token) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** A literal, with an optional sign; `a + bj` complex sums are literals too. */
  private value(): PyValue {
    const c = this.peekToken();
    if (c === '+' || c === '-') {
      this.pos++;
      const operand = this.atom();
      if (operand.kind !== 'int' && operand.kind !== 'float' && operand.kind !== 'complex') fail();
      const signed = c === '-' ? negate(operand) : operand;
      return signed.kind === 'complex' ? signed : this.complexTail(signed);
    }
    const atom = this.atom();
    return atom.kind === 'int' || atom.kind === 'float' ? this.complexTail(atom) : atom;
  }

  /** `1+2j` / `1-2j`: allowed only with a complex right-hand side. */
  private complexTail(left: PyValue): PyValue {
    const c = this.peekToken();
    if (c !== '+' && c !== '-') return left;
    this.pos++;
    const right = this.atom();
    if (right.kind !== 'complex') fail();
    return { kind: 'complex' };
  }

  private atom(): PyValue {
    const c = this.peekToken();
    if (c === undefined) return fail();
    if (c === '[') return this.sequence(']', 'list');
    if (c === '(') return this.parenthesized();
    if (c === '{') return this.braces();
    if (/[0-9.]/.test(c)) {
      if (this.src.startsWith('...', this.pos)) {
        this.pos += 3;
        return { kind: 'ellipsis' };
      }
      return this.number();
    }
    if (/[A-Za-z_]/.test(c) || c === '"' || c === "'" || c.charCodeAt(0) > 127) return this.wordOrString();
    return fail();
  }

  private sequence(close: string, kind: 'list' | 'set'): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    while (!this.eat(close)) {
      items.push(this.value());
      if (!this.eat(',')) {
        if (!this.eat(close)) fail();
        break;
      }
    }
    return { kind, items };
  }

  private parenthesized(): PyValue {
    this.pos++;
    if (this.eat(')')) return { kind: 'tuple', items: [] };
    const first = this.value();
    if (this.eat(')')) return first; // (1) is 1: parentheses make no node
    return { kind: 'tuple', items: this.restOf(first, ')') };
  }

  /** `first, b, c` up to `close` (a trailing comma allowed): after a tuple's or set's first item. */
  private restOf(first: PyValue, close: string): PyValue[] {
    const items = [first];
    while (this.eat(',')) {
      if (this.eat(close)) return items;
      items.push(this.value());
    }
    if (!this.eat(close)) fail();
    return items;
  }

  private braces(): PyValue {
    this.pos++;
    if (this.eat('}')) return { kind: 'dict', entries: [] };
    const first = this.value();
    if (this.eat(':')) {
      const entries: [PyValue, PyValue][] = [[first, this.value()]];
      while (this.eat(',')) {
        if (this.eat('}')) return { kind: 'dict', entries };
        const key = this.value();
        if (!this.eat(':')) fail();
        entries.push([key, this.value()]);
      }
      if (!this.eat('}')) fail();
      return { kind: 'dict', entries };
    }
    return { kind: 'set', items: this.restOf(first, '}') };
  }

  private number(): PyValue {
    const rest = this.src.slice(this.pos);
    const radix = /^0([xXoObB])(?:_?[0-9A-Za-z])+/.exec(rest);
    if (radix) {
      const body = radix[0].slice(2).replace(/_/g, '');
      const base = { x: 16, o: 8, b: 2 }[radix[1]!.toLowerCase() as 'x' | 'o' | 'b'];
      const digits = { 16: /^[0-9a-fA-F]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[base] ?? /^$/;
      if (!digits.test(body) || /__|_$/.test(radix[0]) || this.identifierFollows(radix[0].length)) fail();
      this.pos += radix[0].length;
      return { kind: 'int', value: BigInt(`0${radix[1]!.toLowerCase()}${body}`) };
    }
    const digitPart = '[0-9](?:_?[0-9])*';
    const float = new RegExp(`^(?:(?:${digitPart})?\\.${digitPart}|${digitPart}\\.?)(?:[eE][-+]?${digitPart})?[jJ]?`).exec(rest);
    if (!float || float[0] === '.' || this.identifierFollows(float[0].length)) return fail();
    const text = float[0];
    this.pos += text.length;
    if (/[jJ]$/.test(text)) return { kind: 'complex' };
    const clean = text.replace(/_/g, '');
    if (/[.eE]/.test(clean)) return { kind: 'float', value: Number(clean) };
    // Decimal integers: leading zeros only in "0", "00", ... (Python 3 refuses 007).
    if (/^0+$/.test(clean)) return { kind: 'int', value: 0n };
    if (clean.startsWith('0')) fail();
    return { kind: 'int', value: BigInt(clean) };
  }

  /** Python's tokenizer refuses `1abc` and `0x1g`: a number may not run into a name. */
  private identifierFollows(length: number): boolean {
    const next = this.src[this.pos + length];
    return next !== undefined && /[A-Za-z0-9_]/.test(next);
  }

  private wordOrString(): PyValue {
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos))?.[0] ?? '';
    const quote = this.src[this.pos + word.length];
    if ((quote === '"' || quote === "'") && /^(?:[rRuUbB]|[bB][rR]|[rR][bB])?$/.test(word)) {
      // One or more adjacent string literals, concatenated; str and bytes do not mix.
      let out: PyValue | undefined;
      while (this.startsString()) {
        const next = this.stringLiteral();
        if (out && out.kind !== next.kind) fail();
        out = out ? { kind: next.kind, value: (out as { value: string }).value + next.value } : next;
      }
      return out ?? fail();
    }
    if (word === '') return fail(); // a non-ASCII identifier: a name, so not a literal
    this.pos += word.length;
    if (word === 'True') return { kind: 'const', value: true };
    if (word === 'False') return { kind: 'const', value: false };
    if (word === 'None') return { kind: 'const', value: null };
    if (word === 'set' && this.eat('(') && this.eat(')')) return { kind: 'set', items: [] };
    return fail();
  }

  private startsString(): boolean {
    this.skipSpace();
    return /^(?:[rRuUbB]|[bB][rR]|[rR][bB])?["']/.test(this.src.slice(this.pos, this.pos + 3));
  }

  private stringLiteral(): { kind: 'str' | 'bytes'; value: string } {
    const prefix = /^[A-Za-z]*/.exec(this.src.slice(this.pos))?.[0] ?? '';
    const raw = /r/i.test(prefix);
    const bytes = /b/i.test(prefix);
    this.pos += prefix.length;
    const q = this.src[this.pos]!;
    const triple = this.src.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) fail();
      if (this.src.startsWith(close, this.pos)) {
        this.pos += close.length;
        break;
      }
      const c = this.src[this.pos]!;
      if (c === '\n' && !triple) fail();
      if (bytes && c.charCodeAt(0) > 127) fail();
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const next = this.src[this.pos + 1];
      if (next === undefined) fail();
      if (raw) {
        // In raw strings a backslash stays, and only keeps the next quote from closing the string.
        out += c + next;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      out += this.escape(next!, bytes);
    }
    return { kind: bytes ? 'bytes' : 'str', value: out };
  }

  private escape(c: string, bytes: boolean): string {
    const simple: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (c in simple) return simple[c]!;
    if (/[0-7]/.test(c)) {
      const oct = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))?.[0] ?? '';
      this.pos += oct.length;
      const code = parseInt(c + oct, 8);
      if (bytes && code > 255) fail();
      return String.fromCodePoint(code);
    }
    const hexLength = c === 'x' ? 2 : !bytes && c === 'u' ? 4 : !bytes && c === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.src.slice(this.pos, this.pos + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) fail();
      this.pos += hexLength;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) fail();
      return String.fromCodePoint(code);
    }
    if (!bytes && c === 'N') throw new UnsupportedLiteral('\\N{...} escapes (named Unicode characters) are not supported');
    return `\\${c}`; // an unknown escape keeps its backslash
  }
}

function negate(v: PyValue): PyValue {
  if (v.kind === 'int') return { kind: 'int', value: -v.value };
  if (v.kind === 'float') return { kind: 'float', value: -v.value };
  return v;
}

function toJs(v: PyValue): unknown {
  switch (v.kind) {
    case 'int': {
      const n = Number(v.value);
      if (!Number.isSafeInteger(n)) throw new UnsupportedLiteral(`the integer ${v.value} is beyond 2^53 and would lose digits: quote it`);
      return n;
    }
    case 'float':
      return v.value;
    case 'str':
    case 'bytes':
      return v.value;
    case 'const':
      return v.value;
    case 'list':
    case 'tuple':
      return v.items.map(toJs);
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of v.entries) out[jsonKey(key)] = toJs(value);
      return out;
    }
    case 'set':
      throw new UnsupportedLiteral('a set literal has no JSON form (Ansible cannot print it either): use a list');
    case 'complex':
      throw new UnsupportedLiteral('complex numbers have no JSON form: quote the value');
    case 'ellipsis':
      throw new UnsupportedLiteral('Ellipsis (...) has no JSON form: quote the value');
  }
}

/** A dict key as json.dumps writes it: str as is, numbers and True/False/None in their JSON spelling. */
function jsonKey(key: PyValue): string {
  switch (key.kind) {
    case 'str':
      return key.value;
    case 'int':
      return key.value.toString();
    case 'float':
      return pythonFloatRepr(key.value);
    case 'const':
      return key.value === null ? 'null' : String(key.value);
    case 'list':
    case 'dict':
    case 'set':
      throw new UnsupportedLiteral(`unhashable type: '${key.kind}' as a dict key`);
    default:
      throw new UnsupportedLiteral(`a ${key.kind} dict key has no JSON form`);
  }
}
