import t from 'tap';
import { parsePythonLiteral, pyRepr, type PyValue } from './python-literal.js';

const ok = (s: string, refs = false): PyValue => {
  const r = parsePythonLiteral(s, { refs });
  if (!r.ok) throw new Error(`${s}: ${r.error.message}`);
  return r.value;
};
const err = (s: string, refs = false) => {
  const r = parsePythonLiteral(s, { refs });
  if (r.ok) throw new Error(`${s} parsed`);
  return r.error;
};

t.test('scalars', async (t) => {
  t.match(ok("'a'"), { kind: 'str', value: 'a' });
  t.match(ok('"b"'), { kind: 'str', value: 'b' });
  t.match(ok("u'c' \"d\""), { kind: 'str', value: 'cd' });
  t.match(ok('10'), { kind: 'int', value: 10 });
  t.match(ok('-3'), { kind: 'int', value: -3 });
  t.match(ok('10L'), { kind: 'int', value: 10 });
  t.match(ok('0x1f'), { kind: 'int', value: 31 });
  t.match(ok('.5'), { kind: 'float', value: 0.5 });
  t.match(ok('1e3'), { kind: 'float', value: 1000 });
  t.match(ok('10.0'), { kind: 'float', value: 10 });
  t.match(ok('True'), { kind: 'bool', value: true });
  t.match(ok('False'), { kind: 'bool', value: false });
  t.match(ok('None'), { kind: 'none' });
});

t.test('string escapes and raw strings', async (t) => {
  t.equal((ok(String.raw`'a\'b\\c\n\t\x41\u00e9\101'`) as { value: string }).value, "a'b\\c\n\tA\u00e9A");
  t.equal((ok(String.raw`"it's"`) as { value: string }).value, "it's");
  t.equal((ok(String.raw`r'\d+'`) as { value: string }).value, '\\d+');
  t.equal((ok(String.raw`'\q'`) as { value: string }).value, '\\q');
  t.equal((ok("'''multi\nline'''") as { value: string }).value, 'multi\nline');
});

t.test('containers, trailing commas, nesting, comments', async (t) => {
  t.equal(pyRepr(ok("[ 'ProxyFetch', 'IdleConnection', ]")), "['ProxyFetch', 'IdleConnection']");
  t.equal(pyRepr(ok('(1,)')), '(1,)');
  t.equal(pyRepr(ok('()')), '()');
  t.equal(pyRepr(ok('(1)')), '1');
  t.equal(pyRepr(ok("{ 'host': 'mw1200', 'weight': 10, 'enabled': True }")), "{'host': 'mw1200', 'weight': 10, 'enabled': True}");
  t.equal(pyRepr(ok("[[1, (2, 3)], {'a': [None]}]  # trailing comment")), "[[1, (2, 3)], {'a': [None]}]");
  t.equal(pyRepr(ok('{}')), '{}');
});

t.test('server references only where allowed', async (t) => {
  t.equal(pyRepr(ok("[ '/etc/pybal/runcommand/check-apache', server.host ]", true)), "['/etc/pybal/runcommand/check-apache', server.host]");
  t.match(ok('[server.ip, server.port, server.weight]', true), { kind: 'list', items: [{ name: 'ip' }, { name: 'port' }, { name: 'weight' }] });
  t.match(err('[server.host]'), { message: "'server.host' is only allowed in runcommand.arguments", column: 2 });
  t.match(err('[server.name]', true), { message: /unknown reference 'server.name'/ });
});

t.test('syntax errors carry line and column, never evaluate', async (t) => {
  t.match(err("[ 'a', 'b' "), { message: "missing ']'", line: 1, column: 12 });
  t.match(err("[ 'a' 'b' ,, ]"), { message: /unexpected ','/, column: 12 });
  t.match(err("'abc"), { message: 'unterminated string', column: 1 });
  t.match(err("[1,\n  2 3]"), { message: "expected ',' or ']', found '3'", line: 2, column: 5 });
  t.match(err("__import__('os').system('true')"), { message: /unknown name '__import__'/ });
  t.match(err('true'), { message: /Python spells it 'True'/ });
  t.match(err('{[1]: 2}'), { message: 'a list cannot be a dict key' });
  t.match(err("{'a' 1}"), { message: /expected ':'/ });
  t.match(err('010'), { message: /leading zeros/ });
  t.match(err('1j'), { message: /complex/ });
  t.match(err('1 2'), { message: "unexpected '2' after the value" });
  t.match(err(''), { message: /empty value/ });
  t.match(err(String.raw`'\x4'`), { message: /needs 2 hex digits/ });
  t.match(err('['.repeat(100)), { message: /nesting deeper/ });
  t.match(err('99999999999999999999'), { message: 'integer too large' });
});

t.test('more syntax errors', async (t) => {
  t.match(err('-x'), { message: "invalid number 'x'", column: 2 });
  t.match(err('12abc'), { message: "invalid number '12abc'" });
  t.match(err(String.raw`'\U00110000'`), { message: /code point out of range/ });
  t.match(err('[1, '), { message: 'unexpected end of value', column: 5 });
  t.match(err('@'), { message: /unexpected '@', expected a string/ });
});
