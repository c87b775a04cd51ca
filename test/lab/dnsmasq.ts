import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** A free UDP port on `ip` (bound, read, released). */
export async function freeUdpPort(ip: string): Promise<number> {
  const s = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => s.bind(0, ip, () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A real dnsmasq answering on `ip` (a free port, retried if another process takes it first),
 * with `www.example.test` → 192.0.2.10 / 2001:db8::10 and `extra` arguments; killed at teardown.
 */
export async function startDnsmasq(t: { teardown(fn: () => unknown): void }, bin: string, ip: string, extra: string[] = []): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort(ip);
    const child = spawn(bin, [
      '--no-daemon', `--port=${port}`, `--listen-address=${ip}`, '--bind-interfaces', '--no-resolv', '--no-hosts',
      '--pid-file=', '--log-facility=-', '--local=/example.test/', '--host-record=www.example.test,192.0.2.10,2001:db8::10',
      ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = await new Promise<boolean>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(false), 5000);
      const onData = (b: Buffer): void => { out += b.toString(); if (/started, version/.test(out)) { clearTimeout(timer); resolve(true); } };
      child.stderr.on('data', onData);
      child.stdout.on('data', onData);
      child.once('exit', () => { clearTimeout(timer); resolve(false); });
    });
    if (started) { t.teardown(() => { child.kill('SIGKILL'); }); return port; }
    child.kill('SIGKILL');
  }
  throw new Error('dnsmasq did not start in 5 attempts');
}
