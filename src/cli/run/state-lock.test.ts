import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockState, processStart, StateLockError } from './state-lock.js';

t.test('one holder at a time; the second is told who holds it; release frees it', async (t) => {
  const dir = join(t.testdir(), 'var', 'lib', 'vipd');
  const a = lockState(dir);
  t.ok(existsSync(join(dir, 'vipd.lock')), 'the directory is created and the lock written');
  t.equal(readFileSync(a.path, 'utf8').trim(), `${process.pid} ${processStart(process.pid)}`);
  t.throws(() => lockState(dir), new StateLockError(`another vipd (pid ${process.pid}) holds ${a.path}: it owns IPVS on this host; `
    + 'stop it first (or give this one another --state-dir if it really is a separate host)'));
  a.release();
  t.notOk(existsSync(a.path));
  const b = lockState(dir);
  t.teardown(() => b.release());
  t.pass('taken again after release');
});

t.test('a stale lock (its process gone, or the pid reused by another process) is taken over', async (t) => {
  const dir = t.testdir();
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const deadPid = Number(gone.stdout.trim());
  writeFileSync(join(dir, 'vipd.lock'), `${deadPid} 12345\n`);
  const a = lockState(dir);
  t.match(readFileSync(a.path, 'utf8'), `${process.pid} `, 'a dead owner: taken over');
  a.release();
  writeFileSync(join(dir, 'vipd.lock'), `${process.pid} 1\n`);
  const b = lockState(dir);
  t.pass('a live pid that started at another time is not the owner');
  b.release();
  writeFileSync(join(dir, 'vipd.lock'), '');
  lockState(dir).release();
  t.pass('an empty lock (a crash between create and write) is stale');
});

t.test('a state directory that cannot be created is a clear error', async (t) => {
  const file = join(t.testdir(), 'file');
  writeFileSync(file, '');
  t.throws(() => lockState(join(file, 'sub')), /cannot create the state directory .*file\/sub/);
});
