// A fake-but-real `ipvsadm` for the IPVS reliability cases: an executable put first on vipd's PATH
// (this host's kernel has no ip_vs: /proc/net/ip_vs is absent). It keeps a tiny IPVS table in a
// state file and implements what vipd runs: `-Sn` (print it), `-Ln --thresholds|--stats --exact`
// (headers only: no thresholds, zero counters), and `-R` (apply a batch line by line with the
// kernel's errors: Service already exists, No such service, Destination already exists, No such
// destination). Faults on demand: the first N `-Sn` fail as ENOMEM does ("Memory allocation
// problem", exit 2); a `-R` batch dies after K lines; lines naming a service are refused. Every
// call is logged (argv, stdin, exit) for the test to check what vipd ran, and in which order.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeControl {
  /** The next this many `-Sn` calls fail. */
  failSn?: number;
  /** The next `times` batches stop after `after` lines with ENOMEM. */
  failR?: { after: number; times: number };
  /** Every batch line for this service (`10.2.1.3:80`) is refused (ENOMEM), the rest applied. */
  refuseService?: string;
}

/** One ipvsadm run: its arguments, stdin, exit status, and wall-clock ms when it started and ended. */
export interface FakeCall { args: string[]; input?: string; exit: number; started: number; ended: number }

export interface FakeIpvsadm {
  dir: string;
  /** Put this first on vipd's PATH. */
  pathDir: string;
  /** Replaces the table with these `-Sn` lines (services each followed by their servers). */
  setTable(lines: string[]): void;
  /** The table as `-Sn` prints it. */
  table(): string;
  control(c: FakeControl): void;
  calls(): FakeCall[];
  cleanup(): void;
}

const SCRIPT = (dir: string): string => `#!${process.execPath}
const fs = require('node:fs');
const DIR = ${JSON.stringify(dir)};
const readJson = (f, d) => { try { return JSON.parse(fs.readFileSync(DIR + '/' + f, 'utf8')); } catch { return d; } };
const writeJson = (f, v) => { fs.writeFileSync(DIR + '/' + f + '.tmp', JSON.stringify(v)); fs.renameSync(DIR + '/' + f + '.tmp', DIR + '/' + f); };
const started = Date.now();
const args = process.argv.slice(2);
const input = args[0] === '-R' ? fs.readFileSync(0, 'utf8') : undefined;
const ctl = readJson('control.json', {});
let table = readJson('table.json', []);
// The call is logged before the table changes: a test that sees a change also sees its call.
const done = (code, out, err, save) => {
  fs.appendFileSync(DIR + '/calls.jsonl', JSON.stringify({ args, input, exit: code, started, ended: Date.now() }) + '\\n');
  if (save) writeJson('table.json', table);
  if (out) process.stdout.write(out);
  if (err) process.stderr.write(err);
  process.exit(code);
};
const sn = () => table.map((s) => [s.line, ...s.servers.map((r) => r.line)].join('\\n') + '\\n').join('');
if (args[0] === '-Sn') {
  if (ctl.failSn > 0) { ctl.failSn--; writeJson('control.json', ctl); done(2, '', 'Memory allocation problem\\n'); }
  done(0, sn(), '');
}
if (args[0] === '-Ln' && args.includes('--thresholds')) done(0, '', '');
if (args[0] === '-Ln' && args.includes('--stats')) done(0, 'IP Virtual Server version 1.2.1 (size=4096)\\nProt LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\\n  -> RemoteAddress:Port\\n', '');
if (args[0] !== '-R') done(1, '', 'fake ipvsadm: unsupported ' + args.join(' ') + '\\n');
const lines = input.split('\\n').filter((l) => l.trim());
let stopAfter = Infinity;
if (ctl.failR && ctl.failR.times > 0) { stopAfter = ctl.failR.after; ctl.failR.times--; writeJson('control.json', ctl); }
const errors = [];
for (const [i, line] of lines.entries()) {
  if (i >= stopAfter) done(2, '', 'Memory allocation problem\\n', true);
  const tok = line.trim().split(/\\s+/);
  const op = tok[0];
  const sid = tok[1] + ' ' + tok[2];
  if (ctl.refuseService && tok[2] === ctl.refuseService) { errors.push('Memory allocation problem'); continue; }
  const svc = table.find((s) => s.id === sid);
  const rest = tok.slice(1).join(' ');
  if (op === '-A') { if (svc) errors.push('Service already exists'); else table.push({ id: sid, line: '-A ' + rest, servers: [] }); continue; }
  if (!svc) { errors.push('No such service'); continue; }
  if (op === '-E') { svc.line = '-A ' + rest; continue; }
  if (op === '-D') { table = table.filter((s) => s !== svc); continue; }
  const r = tok.indexOf('-r');
  const rid = r > 0 ? tok[r + 1] : '';
  const has = svc.servers.find((x) => x.id === rid);
  if (op === '-a') { if (has) errors.push('Destination already exists'); else svc.servers.push({ id: rid, line: '-a ' + rest }); }
  else if (op === '-e') { if (!has) errors.push('No such destination'); else has.line = '-a ' + rest; }
  else if (op === '-d') { if (!has) errors.push('No such destination'); else svc.servers = svc.servers.filter((x) => x !== has); }
  else errors.push('fake ipvsadm: unsupported line ' + line);
}
done(errors.length ? 1 : 0, '', errors.map((e) => e + '\\n').join(''), true);
`;

function toJson(lines: string[]): unknown[] {
  const table: { id: string; line: string; servers: { id: string; line: string }[] }[] = [];
  for (const line of lines) {
    const tok = line.trim().split(/\s+/);
    const id = `${tok[1]} ${tok[2]}`;
    if (tok[0] === '-A') table.push({ id, line: line.trim(), servers: [] });
    else table.find((s) => s.id === id)!.servers.push({ id: tok[tok.indexOf('-r') + 1]!, line: line.trim() });
  }
  return table;
}

export function fakeIpvsadm(): FakeIpvsadm {
  const dir = mkdtempSync(join(tmpdir(), `vipd-fake-ipvsadm-${process.pid}-`));
  const pathDir = join(dir, 'bin');
  writeFileSync(join(dir, 'table.json'), '[]');
  const bin = join(pathDir, 'ipvsadm');
  mkdirSync(pathDir);
  writeFileSync(bin, SCRIPT(dir));
  chmodSync(bin, 0o755);
  const read = (f: string): string => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
  return {
    dir, pathDir,
    setTable: (lines) => writeFileSync(join(dir, 'table.json'), JSON.stringify(toJson(lines))),
    table: () => (JSON.parse(read('table.json') || '[]') as { line: string; servers: { line: string }[] }[])
      .map((s) => [s.line, ...s.servers.map((r) => r.line)].join('\n') + '\n').join(''),
    control: (c) => writeFileSync(join(dir, 'control.json'), JSON.stringify(c)),
    calls: () => read('calls.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
