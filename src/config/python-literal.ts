/**
 * A safe parser for the Python literal syntax PyBal passes to eval() / ast.literal_eval():
 * never evaluates anything, every syntax error located by line and column.
 */
export type RefName = 'host' | 'ip' | 'port' | 'weight';

export type PyValue =
  | { kind: 'str'; value: string; at: number }
  | { kind: 'int'; value: number; at: number }
  | { kind: 'float'; value: number; at: number }
  | { kind: 'bool'; value: boolean; at: number }
  | { kind: 'none'; at: number }
  | { kind: 'list'; items: PyValue[]; at: number }
  | { kind: 'tuple'; items: PyValue[]; at: number }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]>; at: number }
  | { kind: 'ref'; name: RefName; at: number };

export interface LiteralError {
  message: string;
  /** Offset into the parsed text, and the same as 1-based line and column within it. */
  offset: number;
  line: number;
  column: number;
}

export type LiteralResult = { ok: true; value: PyValue } | { ok: false; error: LiteralError };

export interface LiteralOptions {
  /** Allow `server.host`, `server.ip`, `server.port`, `server.weight` (runcommand.arguments). */
  refs?: boolean;
  /** Also accept JSON's true/false/null (used to locate JSON syntax errors). */
  json?: boolean;
}

const REFS: readonly RefName[] = ['host', 'ip', 'port', 'weight'];
const MAX_DEPTH = 64;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

// Sticky (`y`) patterns matched at the parser's position: no copy of the rest of the text per
// token, so a long text (a whole pybal.conf, a large invalid JSON pool) parses in linear time.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)[lLjJ]?/y;
const NUMBER_TAIL = /[A-Za-z_0-9]/y;
const BAD_NUMBER = /[\w.+-]*/y;
const NAME = /[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*/y;
const STRING_START = /[uUbBrR]{0,2}['"]/y;
const STRING_PREFIX = /[uUbBrR]{0,2}/y;
const OCTAL = /[0-7]{1,3}/y;

/** The match of a sticky pattern at `pos`, or null. */
function matchAt(re: RegExp, s: string, pos: number): string | null {
  re.lastIndex = pos;
  return re.exec(s)?.[0] ?? null;
}

/** Python's whitespace between tokens (what /\s/ matched here before: ASCII and Unicode spaces). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

/** Thrown inside the parser and always caught here: not an Error, so no stack is captured (a
 *  stack trace per bad line made a 100,000-line bad pool file ~10x slower to parse). */
class Fail {
  constructor(readonly message: string, readonly offset: number) {}
}

export function parsePythonLiteral(text: string, opts: LiteralOptions = {}): LiteralResult {
  const p = new Parser(text, opts);
  try {
    p.skip();
    if (p.pos >= text.length) throw new Fail('empty value, expected a Python literal', p.pos);
    const value = p.value(0);
    p.skip();
    if (p.pos < text.length) throw new Fail(`unexpected '${text[p.pos]}' after the value`, p.pos);
    return { ok: true, value };
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    return { ok: false, error: locate(text, e.offset, e.message) };
  }
}

export function locate(text: string, offset: number, message: string): LiteralError {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  return { message, offset, line: before.split('\n').length, column: offset - nl };
}

class Parser {
  pos = 0;
  constructor(private readonly s: string, private readonly opts: LiteralOptions) {}

  skip(): void {
    for (;;) {
      while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
      if (this.s.charCodeAt(this.pos) !== 35) return; // '#'
      const nl = this.s.indexOf('\n', this.pos);
      this.pos = nl < 0 ? this.s.length : nl;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) throw new Fail(`nesting deeper than ${MAX_DEPTH} levels`, this.pos);
    this.skip();
    const at = this.pos;
    const c = this.s[at];
    if (c === undefined) throw new Fail('unexpected end of value', at);
    if (c === '[') return { kind: 'list', items: this.sequence(']', depth), at };
    if (c === '{') return this.dict(depth);
    if (c === '(') return this.paren(depth);
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"' || c === "'" || ('uUbBrR'.includes(c) && matchAt(STRING_START, this.s, this.pos) !== null)) return this.strings();
    if (/[A-Za-z_]/.test(c)) return this.name();
    throw new Fail(`unexpected '${c}', expected a string, number, True, False, None, list, tuple or dict`, at);
  }

  private sequence(close: string, depth: number): PyValue[] {
    this.pos++;
    const items: PyValue[] = [];
    for (;;) {
      this.skip();
      if (this.s[this.pos] === close) { this.pos++; return items; }
      items.push(this.value(depth + 1));
      this.skip();
      const c = this.s[this.pos];
      if (c === ',') { this.pos++; continue; }
      if (c === close) { this.pos++; return items; }
      throw new Fail(c === undefined ? `missing '${close}'` : `expected ',' or '${close}', found '${c}'`, this.pos);
    }
  }

  private paren(depth: number): PyValue {
    const at = this.pos;
    this.pos++;
    this.skip();
    if (this.s[this.pos] === ')') { this.pos++; return { kind: 'tuple', items: [], at }; }
    const first = this.value(depth + 1);
    this.skip();
    if (this.s[this.pos] === ')') { this.pos++; return first; }
    if (this.s[this.pos] !== ',') throw new Fail(`expected ',' or ')', found '${this.s[this.pos] ?? 'end of value'}'`, this.pos);
    const rest = this.sequence(')', depth);
    return { kind: 'tuple', items: [first, ...rest], at };
  }

  private dict(depth: number): PyValue {
    const at = this.pos;
    this.pos++;
    const entries: Array<[PyValue, PyValue]> = [];
    for (;;) {
      this.skip();
      if (this.s[this.pos] === '}') { this.pos++; return { kind: 'dict', entries, at }; }
      const k = this.value(depth + 1);
      if (k.kind === 'list' || k.kind === 'dict') throw new Fail(`a ${k.kind} cannot be a dict key`, k.at);
      this.skip();
      if (this.s[this.pos] !== ':') throw new Fail(`expected ':' after the dict key, found '${this.s[this.pos] ?? 'end of value'}'`, this.pos);
      this.pos++;
      entries.push([k, this.value(depth + 1)]);
      this.skip();
      const c = this.s[this.pos];
      if (c === ',') { this.pos++; continue; }
      if (c === '}') { this.pos++; return { kind: 'dict', entries, at }; }
      throw new Fail(c === undefined ? "missing '}'" : `expected ',' or '}', found '${c}'`, this.pos);
    }
  }

  private number(): PyValue {
    const at = this.pos;
    let sign = 1;
    while (this.s[this.pos] === '-' || this.s[this.pos] === '+') {
      if (this.s[this.pos] === '-') sign = -sign;
      this.pos++;
      this.skip();
    }
    const tok = matchAt(NUMBER, this.s, this.pos);
    if (tok === null || matchAt(NUMBER_TAIL, this.s, this.pos + tok.length) !== null) {
      throw new Fail(`invalid number '${matchAt(BAD_NUMBER, this.s, this.pos) || (this.s[this.pos] ?? '')}'`, this.pos);
    }
    const start = this.pos;
    this.pos += tok.length;
    if (/[jJ]$/.test(tok)) throw new Fail('complex numbers are not supported', start);
    const body = tok.replace(/[lL]$/, '');
    if (/^0[xXoObB]/.test(body)) return { kind: 'int', value: sign * checkedInt(Number(body), start), at };
    if (/^\d+$/.test(body)) {
      if (/^0\d/.test(body)) {
        throw new Fail(`leading zeros are ambiguous ('${body}' is octal in Python 2); write it without them`, start);
      }
      return { kind: 'int', value: sign * checkedInt(Number(body), start), at };
    }
    return { kind: 'float', value: sign * Number(body), at };
  }

  private name(): PyValue {
    const at = this.pos;
    const m = matchAt(NAME, this.s, at)!;
    this.pos += m.length;
    const word = m.replace(/\s+/g, '');
    if (word === 'True' || word === 'False') return { kind: 'bool', value: word === 'True', at };
    if (word === 'None') return { kind: 'none', at };
    if (this.opts.json && (word === 'true' || word === 'false')) return { kind: 'bool', value: word === 'true', at };
    if (this.opts.json && word === 'null') return { kind: 'none', at };
    if (word.startsWith('server.')) {
      const field = word.slice('server.'.length) as RefName;
      if (!this.opts.refs) throw new Fail(`'${word}' is only allowed in runcommand.arguments`, at);
      if (!REFS.includes(field)) throw new Fail(`unknown reference '${word}' (known: ${REFS.map((r) => 'server.' + r).join(', ')})`, at);
      return { kind: 'ref', name: field, at };
    }
    const hint = word === 'true' || word === 'false' || word === 'none' ? ` (Python spells it '${word[0]!.toUpperCase()}${word.slice(1)}')` : ' (quote strings)';
    throw new Fail(`unknown name '${word}'${hint}`, at);
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): PyValue {
    const at = this.pos;
    let value = '';
    do {
      value += this.string();
      this.skip();
    } while (this.pos < this.s.length && matchAt(STRING_START, this.s, this.pos) !== null);
    return { kind: 'str', value, at };
  }

  private string(): string {
    const start = this.pos;
    const prefix = matchAt(STRING_PREFIX, this.s, this.pos)!;
    const raw = prefix.includes('r') || prefix.includes('R');
    this.pos += prefix.length;
    const q = this.s[this.pos]!;
    const triple = this.s.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new Fail('unterminated string', start);
      if (this.s.startsWith(close, this.pos)) { this.pos += close.length; return out; }
      const c = this.s[this.pos]!;
      if (c === '\n' && !triple) throw new Fail('unterminated string (line ends inside it)', start);
      if (c !== '\\') {
        // A run of plain characters at once, up to the next quote, backslash or newline.
        let end = this.pos + 1;
        while (end < this.s.length) {
          const x = this.s.charCodeAt(end);
          if (x === 92 || x === 10 || x === q.charCodeAt(0)) break;
          end++;
        }
        out += this.s.slice(this.pos, end);
        this.pos = end;
        continue;
      }
      const e = this.s[this.pos + 1];
      if (e === undefined) throw new Fail('unterminated string', start);
      if (raw) { out += c + e; this.pos += 2; continue; }
      out += this.escape();
    }
  }

  private escape(): string {
    const at = this.pos;
    const e = this.s[this.pos + 1]!;
    this.pos += 2;
    if (e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e]!;
    if (e === '\n') return '';
    if (/[0-7]/.test(e)) {
      const m = matchAt(OCTAL, this.s, at + 1)!;
      this.pos = at + 1 + m.length;
      return String.fromCharCode(parseInt(m, 8));
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width) {
      const hex = this.s.slice(this.pos, this.pos + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new Fail(`invalid \\${e} escape: needs ${width} hex digits`, at);
      this.pos += width;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new Fail(`invalid \\${e} escape: code point out of range`, at);
      return String.fromCodePoint(cp);
    }
    return '\\' + e;
  }
}

function checkedInt(n: number, at: number): number {
  if (!Number.isSafeInteger(n)) throw new Fail('integer too large', at);
  return n;
}

/** Python's repr-like text of a value, for canonical printing and messages. */
export function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'str': return `'${v.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
    case 'int': return String(v.value);
    case 'float': return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case 'bool': return v.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'ref': return `server.${v.name}`;
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'dict': return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
}
