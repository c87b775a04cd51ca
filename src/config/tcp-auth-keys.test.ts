import t from 'tap';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';
import { printConfig } from './print.js';

// Issue 14 §3: bgp-md5-password-file / bgp-md5-password / bgp-ttl-security, and that the secret
// never shows: not in errors, warnings, the printed config, JSON or util.inspect of the config.
const PW = 'Zq7-md5-secret';
const dir = mkdtempSync(join(tmpdir(), 'vipd-md5-'));
const file = (name: string, text: string, mode = 0o600): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
};
const head = (extra: string): string => `[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 10.0.0.1\n${extra}\n`;
function parse(text: string) {
  const r = parseConfig(text, 'f.conf');
  return { r, all: [...(r.ok ? [] : r.errors), ...r.warnings].map(formatIssue) };
}

t.test('a password file sets the key of every peer; a peer section can switch it off or override it', async (t) => {
  const pwFile = file('pw', `${PW}\n`);
  const other = file('other', 'second-secret');
  const { r } = parse(head(`bgp-md5-password-file = ${pwFile}\nbgp-ttl-security = yes\n`)
    + `[bgp-peer 10.0.0.2]\nbgp-md5-password-file =\n[bgp-peer 10.0.0.3]\nbgp-md5-password-file = ${other}\nbgp-ttl-security = no\n`);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  const [p1, p2, p3] = r.config.global.bgpPeers;
  t.equal(p1?.md5?.bytes().toString(), PW, 'the trailing newline is the file\'s, not the password\'s');
  t.equal(p1?.ttlSecurity, true);
  t.equal(p2?.md5, null, 'an empty value switches TCP-MD5 off');
  t.equal(p2?.ttlSecurity, true, '[global] is the default');
  t.equal(p3?.md5?.bytes().toString(), 'second-secret');
  t.equal(p3?.ttlSecurity, false);
  const dump = JSON.stringify(r.config) + inspect(r.config, { depth: 10 }) + String(p1?.md5) + printConfig(r.config);
  t.notOk(dump.includes(PW), 'the secret is not in JSON, inspect, String() or the printed config');
  const printed = printConfig(r.config);
  t.match(printed, `bgp-md5-password-file = ${pwFile}`);
  t.match(printed, 'bgp-ttl-security = yes');
  const again = parseConfig(printed, 'printed.conf');
  t.ok(again.ok && again.config.global.bgpPeers[0]?.md5?.fingerprint === p1?.md5?.fingerprint, 'the printed config reads the same file again');
});

t.test('an inline password works, prints as (set), and compares by fingerprint', async (t) => {
  const a = parseConfig(head(`bgp-md5-password = ${PW}`), 'f.conf');
  const b = parseConfig(head(`bgp-md5-password = ${PW}`), 'f.conf');
  const c = parseConfig(head('bgp-md5-password = another'), 'f.conf');
  if (!a.ok || !b.ok || !c.ok) throw new Error('parse');
  t.equal(a.config.global.bgpPeers[0]?.md5?.bytes().toString(), PW);
  t.match(printConfig(a.config), /^bgp-md5-password = \(set\)$/m);
  t.notOk(printConfig(a.config).includes(PW));
  t.equal(JSON.stringify(a.config), JSON.stringify(b.config), 'the same password: the same config (a reload changes nothing)');
  t.not(JSON.stringify(a.config), JSON.stringify(c.config), 'another password: a changed peer (a reload replaces it)');
});

t.test('errors name file:line and never quote the secret', async (t) => {
  const open = file('open', PW, 0o644);
  const group = file('group', PW, 0o640);
  const long = file('long', 'x'.repeat(81));
  const empty = file('empty', '\n');
  const cases: [string, RegExp][] = [
    [`bgp-md5-password-file = ${open}`, /f\.conf:5: \[global\] bgp-md5-password-file: '.*open' is accessible to others \(mode 0644\); chmod o-rwx/],
    [`bgp-md5-password-file = ${join(dir, 'nope')}`, /f\.conf:5: \[global\] bgp-md5-password-file: cannot read '.*nope': ENOENT/],
    [`bgp-md5-password-file = ${dir}`, /f\.conf:5: .* is not a regular file/],
    [`bgp-md5-password-file = ${long}`, /f\.conf:5: .*the password is 81 bytes; TCP-MD5 takes at most 80/],
    [`bgp-md5-password-file = ${empty}`, /f\.conf:5: .*the password is empty/],
    [`bgp-md5-password-file = ${group}\nbgp-md5-password = ${PW}`, /f\.conf:6: \[global\] set bgp-md5-password-file or bgp-md5-password, not both/],
    [`bgp-md5-password = ${PW}%x`, /f\.conf:5: 'bgp-md5-password': a literal '%' must be written '%%' \(found '…'\)/],
    [`bgp-md5-password = ${PW}%(${PW})s`, /f\.conf:5: 'bgp-md5-password' refers to %\(…\)s, which is not set/],
    ['bgp-ttl-security = maybe', /f\.conf:5: \[global\] bgp-ttl-security/],
  ];
  for (const [extra, want] of cases) {
    const { r, all } = parse(head(extra));
    t.equal(r.ok, false, extra.split('\n')[0]!);
    t.match(all.join('\n'), want);
    t.notOk(all.join('\n').includes(PW), 'the secret is not in the message');
  }
  const { r } = parse(head(`bgp-md5-password-file = ${group}`));
  t.ok(r.ok, 'group-readable (0640, group e.g. the vipd group) is accepted');
});
