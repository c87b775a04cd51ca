import t from 'tap';
import { stopBgp } from './stop-bgp.js';
import type { Speaker } from '../../speaker/index.js';

// The order that keeps a graceful restart's routes at FRR 8.4 and BIRD 2.0 (docs/bfd.md): BGP closed
// first, then BFD AdminDown, then BFD ends; for a planned restart and for a full stop alike.
for (const gracefulRestart of [true, false]) {
  t.test(`stopBgp: the speaker stops before BFD says AdminDown (gracefulRestart ${gracefulRestart})`, async (t) => {
    const calls: string[] = [];
    const speaker = {
      stop: async (o: { gracefulRestart?: boolean }) => {
        calls.push(`speaker.stop(${String(o.gracefulRestart)}) begins`);
        await new Promise((r) => setTimeout(r, 5));
        calls.push('speaker.stop ends');
      },
    } as unknown as Speaker;
    const bfd = { adminDownAll: async () => { calls.push('adminDown'); }, stop: () => { calls.push('bfd.stop'); } };
    await stopBgp(speaker, bfd, { message: 'test', gracefulRestart });
    t.same(calls, [`speaker.stop(${String(gracefulRestart)}) begins`, 'speaker.stop ends', 'adminDown', 'bfd.stop']);
  });
}

t.test('stopBgp without BGP or without BFD', async (t) => {
  const calls: string[] = [];
  await stopBgp(null, { adminDownAll: async () => { calls.push('adminDown'); }, stop: () => { calls.push('bfd.stop'); } }, { message: 'x' });
  await stopBgp({ stop: async () => { calls.push('speaker.stop'); } } as unknown as Speaker, null, { message: 'x' });
  t.same(calls, ['adminDown', 'bfd.stop', 'speaker.stop']);
});
