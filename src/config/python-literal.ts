/**
 * A safe parser for the Python literal syntax PyBal passes to eval() / ast.literal_eval():
 * never evaluates anything, every syntax error located by line and column.
 */
import type { PyValue, RefName } from './python-value.js';

export { pyRepr, type PyValue, type RefName } from './python-value.js';

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
/** What a rule returns after an error (never seen outside the parser). */
const NOTHING: PyValue = { kind: 'none', at: -1 };
const MAX_DEPTH = 64;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

// Sticky (`y`) patterns matched at the parser's position: no copy of the rest of the text per
// token, so a long text (a whole pybal.conf, a large invalid JSON pool) parses in linear time.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)[lLjJ]?/y;
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

// Character classes by code, not by a regex per character: [uUbBrR], [A-Za-z_], [A-Za-z_0-9].
const isStringPrefix = (c: string): boolean => c === 'u' || c === 'U' || c === 'b' || c === 'B' || c === 'r' || c === 'R';
const isNameStart = (x: number): boolean => (x >= 65 && x <= 90) || (x >= 97 && x <= 122) || x === 95;
const isWordChar = (x: number): boolean => isNameStart(x) || (x >= 48 && x <= 57);

/** Python's whitespace between tokens (what /\s/ matched here before: ASCII and Unicode spaces). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

export function parsePythonLiteral(text: string, opts: LiteralOptions = {}): LiteralResult {
  const p = new Parser(text, opts);
  p.skip();
  if (p.pos >= text.length) p.fail('empty value, expected a Python literal', p.pos);
  const value = p.value(0);
  p.skip();
  if (p.pos < text.length) p.fail(`unexpected '${text[p.pos]}' after the value`, p.pos);
  return p.error ? { ok: false, error: locate(text, p.error.offset, p.error.message) } : { ok: true, value };
}

export function locate(text: string, offset: number, message: string): LiteralError {
  // Newlines counted in place: no copy or split of a (possibly large) text per error.
  let line = 1;
  let nl = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; nl = i; }
  return { message, offset, line, column: offset - nl };
}

/**
 * Errors are not thrown (a throw costs about a microsecond, as much as parsing the rest of a bad
 * pool line): `fail` records the first error and moves to the end of the text, where every rule
 * stops at once; what the rules return after it (`NOTHING`, '') is never used.
 */
class Parser {
  pos = 0;
  error: { message: string; offset: number } | null = null;
  constructor(private readonly s: string, private readonly opts: LiteralOptions) {}

  fail(message: string, offset: number): PyValue {
    this.error ??= { message, offset };
    this.pos = this.s.length;
    return NOTHING;
  }

  private failText(message: string, offset: number): string {
    return this.fail(message, offset) && '';
  }

  skip(): void {
    for (;;) {
      while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
      if (this.s.charCodeAt(this.pos) !== 35) return; // '#'
      const nl = this.s.indexOf('\n', this.pos);
      this.pos = nl < 0 ? this.s.length : nl;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) return this.fail(`nesting deeper than ${MAX_DEPTH} levels`, this.pos);
    this.skip();
    const at = this.pos;
    const c = this.s[at];
    if (c === undefined) return this.fail('unexpected end of value', at);
    if (c === '[') return { kind: 'list', items: this.sequence(']', depth), at };
    if (c === '{') return this.dict(depth);
    if (c === '(') return this.paren(depth);
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"' || c === "'" || (isStringPrefix(c) && matchAt(STRING_START, this.s, this.pos) !== null)) return this.strings();
    if (isNameStart(this.s.charCodeAt(at))) return this.name();
    return this.fail(`unexpected '${c}', expected a string, number, True, False, None, list, tuple or dict`, at);
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
      this.fail(c === undefined ? `missing '${close}'` : `expected ',' or '${close}', found '${c}'`, this.pos);
      return items;
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
    if (this.s[this.pos] !== ',') return this.fail(`expected ',' or ')', found '${this.s[this.pos] ?? 'end of value'}'`, this.pos);
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
      if (k.kind === 'list' || k.kind === 'dict') return this.fail(`a ${k.kind} cannot be a dict key`, k.at);
      this.skip();
      if (this.s[this.pos] !== ':') return this.fail(`expected ':' after the dict key, found '${this.s[this.pos] ?? 'end of value'}'`, this.pos);
      this.pos++;
      entries.push([k, this.value(depth + 1)]);
      this.skip();
      const c = this.s[this.pos];
      if (c === ',') { this.pos++; continue; }
      if (c === '}') { this.pos++; return { kind: 'dict', entries, at }; }
      return this.fail(c === undefined ? "missing '}'" : `expected ',' or '}', found '${c}'`, this.pos);
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
    if (tok === null || isWordChar(this.s.charCodeAt(this.pos + tok.length))) {
      return this.fail(`invalid number '${matchAt(BAD_NUMBER, this.s, this.pos) || (this.s[this.pos] ?? '')}'`, this.pos);
    }
    const start = this.pos;
    this.pos += tok.length;
    const last = tok[tok.length - 1];
    if (last === 'j' || last === 'J') return this.fail('complex numbers are not supported', start);
    const body = last === 'l' || last === 'L' ? tok.slice(0, -1) : tok;
    if (/^0[xXoObB]/.test(body)) return this.int(sign, body, start, at);
    if (/^\d+$/.test(body)) {
      if (/^0\d/.test(body)) {
        return this.fail(`leading zeros are ambiguous ('${body}' is octal in Python 2); write it without them`, start);
      }
      return this.int(sign, body, start, at);
    }
    return { kind: 'float', value: sign * Number(body), at };
  }

  private int(sign: number, body: string, start: number, at: number): PyValue {
    const n = Number(body);
    if (!Number.isSafeInteger(n)) return this.fail('integer too large', start);
    return { kind: 'int', value: sign * n, at };
  }

  private name(): PyValue {
    const at = this.pos;
    const m = matchAt(NAME, this.s, at)!;
    this.pos += m.length;
    const word = m.includes('.') ? m.replace(/\s+/g, '') : m;
    if (word === 'True' || word === 'False') return { kind: 'bool', value: word === 'True', at };
    if (word === 'None') return { kind: 'none', at };
    if (this.opts.json && (word === 'true' || word === 'false')) return { kind: 'bool', value: word === 'true', at };
    if (this.opts.json && word === 'null') return { kind: 'none', at };
    if (word.startsWith('server.')) {
      const field = word.slice('server.'.length) as RefName;
      if (!this.opts.refs) return this.fail(`'${word}' is only allowed in runcommand.arguments`, at);
      if (!REFS.includes(field)) return this.fail(`unknown reference '${word}' (known: ${REFS.map((r) => 'server.' + r).join(', ')})`, at);
      return { kind: 'ref', name: field, at };
    }
    const hint = word === 'true' || word === 'false' || word === 'none' ? ` (Python spells it '${word[0]!.toUpperCase()}${word.slice(1)}')` : ' (quote strings)';
    return this.fail(`unknown name '${word}'${hint}`, at);
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): PyValue {
    const at = this.pos;
    let value = '';
    do {
      value += this.string();
      this.skip();
    } while (this.pos < this.s.length && this.stringStarts());
    return { kind: 'str', value, at };
  }

  /** A quote, or a prefix letter and then a string (STRING_START) at the position. */
  private stringStarts(): boolean {
    const c = this.s[this.pos]!;
    return c === "'" || c === '"' || (isStringPrefix(c) && matchAt(STRING_START, this.s, this.pos) !== null);
  }

  private string(): string {
    const start = this.pos;
    const c0 = this.s[this.pos]!;
    const prefix = c0 === "'" || c0 === '"' ? '' : matchAt(STRING_PREFIX, this.s, this.pos)!;
    const raw = prefix.includes('r') || prefix.includes('R');
    this.pos += prefix.length;
    const q = this.s[this.pos]!;
    const qc = q.charCodeAt(0);
    const triple = this.s.charCodeAt(this.pos + 1) === qc && this.s.charCodeAt(this.pos + 2) === qc;
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) return this.failText('unterminated string', start);
      if (this.s.charCodeAt(this.pos) === qc && (!triple || this.s.startsWith(close, this.pos))) { this.pos += close.length; return out; }
      const c = this.s[this.pos]!;
      if (c === '\n' && !triple) return this.failText('unterminated string (line ends inside it)', start);
      if (c !== '\\') {
        // A run of plain characters at once, up to the next quote, backslash or newline.
        let end = this.pos + 1;
        while (end < this.s.length) {
          const x = this.s.charCodeAt(end);
          if (x === 92 || x === 10 || x === qc) break;
          end++;
        }
        out += this.s.slice(this.pos, end);
        this.pos = end;
        continue;
      }
      const e = this.s[this.pos + 1];
      if (e === undefined) return this.failText('unterminated string', start);
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
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return this.failText(`invalid \\${e} escape: needs ${width} hex digits`, at);
      this.pos += width;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return this.failText(`invalid \\${e} escape: code point out of range`, at);
      return String.fromCodePoint(cp);
    }
    return '\\' + e;
  }
}
