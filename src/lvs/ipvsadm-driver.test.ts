import { existsSync } from 'node:fs';
import t from 'tap';
import { silentLogger } from '../log/logger.js';
import { commandRunner } from '../process/command-runner.js';
import { IpvsError } from './errors.js';
import { IpvsadmDriver } from './ipvsadm-driver.js';

// The driver's behaviour on a real IPVS kernel is tested in the QEMU guest
// (test/integration/ipvs-kernel.test.ts); here, the real ipvsadm on this host.
const owned = [{ protocol: 'tcp' as const, address: '10.255.0.1', port: 80 }];

t.test('a missing ipvsadm binary is a typed error naming it', async (t) => {
  const d = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger, ipvsadm: '/nonexistent/ipvsadm' });
  const e = await d.read().catch((x: unknown) => x);
  t.ok(e instanceof IpvsError && e.kind === 'not-installed', String(e));
  t.match(String(e), /\/nonexistent\/ipvsadm/);
});

t.test('a kernel without IPVS is a typed error (the host kernel here has none)', async (t) => {
  if (existsSync('/proc/net/ip_vs') || !existsSync('/usr/sbin/ipvsadm')) {
    t.skip('this host has IPVS or no ipvsadm', () => {});
    return;
  }
  const d = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger });
  const e = await d.apply([]).catch((x: unknown) => x);
  t.ok(e instanceof IpvsError && e.kind === 'no-ipvs', String(e));
  t.match(String(e), /Can't initialize ipvs/);
});
