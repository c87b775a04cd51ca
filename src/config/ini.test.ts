import t from 'tap';
import { parseIni } from './ini.js';

const get = (text: string, section: string, key: string) =>
  parseIni(text, 'x.conf').sections.find((s) => s.name === section)?.entries.get(key);

t.test('keys are lower-cased, both = and : separate, values are trimmed', async (t) => {
  const r = parseIni('[svc]\nProtocol = tcp\nPORT: 80\nscheduler=wrr   \n', 'x.conf');
  t.same(r.errors, []);
  const e = r.sections[0]!.entries;
  t.equal(e.get('protocol')?.value, 'tcp');
  t.equal(e.get('port')?.value, '80');
  t.equal(e.get('port')?.line, 3);
  t.equal(e.get('scheduler')?.value, 'wrr');
});

t.test('[DEFAULT] values are inherited by every section and overridden locally', async (t) => {
  const text = '[DEFAULT]\nscheduler = wrr\ndepool-threshold = .5\n[a]\nport = 1\n[b]\nscheduler = rr\n';
  t.equal(get(text, 'a', 'scheduler')?.value, 'wrr');
  t.equal(get(text, 'a', 'scheduler')?.inherited, true);
  t.equal(get(text, 'b', 'scheduler')?.value, 'rr');
  t.equal(get(text, 'b', 'scheduler')?.inherited, false);
  t.equal(get(text, 'b', 'depool-threshold')?.value, '.5');
  t.notOk(parseIni(text, 'x').sections.some((s) => s.name === 'DEFAULT'));
});

t.test('%% is a literal percent, %(name)s interpolates, a lone % is a located error', async (t) => {
  const ok = '[DEFAULT]\nhost = be1\n[a]\nurl = http://%(host)s/a%%20b\n';
  t.equal(get(ok, 'a', 'url')?.value, 'http://be1/a%20b');
  const bad = parseIni('[a]\nx = 1\nurl = http://h/a%20b\n', 'p.conf');
  t.equal(bad.errors.length, 1);
  t.match(bad.errors[0], { file: 'p.conf', line: 3, message: /literal '%' must be written '%%'/ });
  const missing = parseIni('[a]\nurl = %(nope)s\n', 'p.conf');
  t.match(missing.errors[0], { line: 2, message: /%\(nope\)s, which is not set/ });
  const loop = parseIni('[a]\nx = %(y)s\ny = %(x)s\n', 'p.conf');
  t.match(loop.errors[0]?.message, /nest too deeply/);
});

t.test('comments, rem lines, inline " ;" comments and blank lines', async (t) => {
  const text = '# top\n; also\nREM old style\n[a]\n\nport = 80 ; the port\nurl = http://h/#frag;x\n';
  const r = parseIni(text, 'x');
  t.same(r.errors, []);
  t.equal(get(text, 'a', 'port')?.value, '80');
  t.equal(get(text, 'a', 'url')?.value, 'http://h/#frag;x');
});

t.test('continuation lines join with newlines and keep their positions', async (t) => {
  const text = "[a]\nmonitors = [ 'ProxyFetch',\n\n    'IdleConnection' ]\nport = 1\n";
  const e = get(text, 'a', 'monitors')!;
  t.equal(e.value, "[ 'ProxyFetch',\n'IdleConnection' ]");
  t.same(e.segments, [{ line: 2, column: 12 }, { line: 4, column: 5 }]);
});

t.test('repeated sections merge, repeated keys: last wins, "" is empty', async (t) => {
  const text = '[a]\nport = 1\n[b]\nx = 1\n[a]\nport = 2\nempty = ""\n';
  const r = parseIni(text, 'x');
  t.equal(r.sections.length, 2);
  t.equal(get(text, 'a', 'port')?.value, '2');
  t.equal(get(text, 'a', 'empty')?.value, '');
});

t.test('lines outside a section and unparsable lines are located errors', async (t) => {
  const r = parseIni('port = 1\n[a]\njust words\n  \n', 'bad.conf');
  t.same(r.errors.map((e) => [e.line, e.message.split(':')[0]]), [
    [1, "line before any [section] header"],
    [3, "cannot parse line (expected 'key = value' or '[section]')"],
  ]);
});

t.test('[DEFAULT] keys × sections is bounded: over the limit, [DEFAULT] is refused with an error', async (t) => {
  const keys = Array.from({ length: 1001 }, (_, i) => `k${i} = 1`).join('\n');
  const sections = Array.from({ length: 100 }, (_, i) => `[s${i}]\nport = ${i + 1}`).join('\n');
  const r = parseIni(`[DEFAULT]\n${keys}\n${sections}\n`, 'big.conf');
  t.equal(r.sections.length, 100, 'the sections are still read');
  t.notOk(r.sections.some((s) => s.entries.has('k0')), 'nothing inherited');
  t.match(r.errors, [{ file: 'big.conf', line: 2, message: /1001 keys and the file 100 sections: 100100 inherited entries, over the limit of 100000/ }]);
  const fine = parseIni(`[DEFAULT]\n${Array.from({ length: 1000 }, (_, i) => `k${i} = 1`).join('\n')}\n${sections}\n`, 'ok.conf');
  t.same(fine.errors, [], 'at the limit: no error');
  t.equal(fine.sections[99]!.entries.get('k999')!.inherited, true);
});
