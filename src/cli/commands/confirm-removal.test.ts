import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { silentLogger } from '../../log/logger.js';
import { startApiServer } from '../../api/server.js';

const run = promisify(execFile);
const cli = (args: string[]) => run('node', ['dist/cli/main.js', ...args], { timeout: 20_000 })
  .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

t.test('vipd confirm-removal prints the answer; refused or unknown exits 1', async (t) => {
  const pool = (name: string) => ({
    name, ip: '10.2.1.1', port: 80, protocol: 'tcp' as const, depoolThreshold: 0.5, canDepool: true, delivered: true,
    firstRoundDone: true, servers: [], pooledDown: [], couldNotDepoolTotal: 0,
  });
  const api = await startApiServer({
    source: {
      coordinator: () => ({ pools: [pool('web'), pool('api')], vips: [], alerts: [] }),
      bgp: () => ({ enabled: false, localAs: null, peers: [] }), startedAt: 0, now: () => 0,
      actions: {
        confirmPoolRemoval: (s) => (s === 'web' ? { ok: true, message: 'web: held update applied (4 → 1 servers)' }
          : { ok: false, message: `${s}: no pool update is held` }),
      },
    },
    hosts: ['127.0.0.1'], port: 0, log: silentLogger,
  });
  t.teardown(() => api.close());
  const url = `http://${api.addresses[0]}/`;
  const ok = await cli(['confirm-removal', 'web', '--url', url]);
  t.same([ok.code, ok.stdout], [0, 'web: held update applied (4 → 1 servers)\n'], ok.stderr);
  const refused = await cli(['confirm-removal', 'api', '--url', url]);
  t.same([refused.code, refused.stderr], [1, 'vipd confirm-removal: refused: api: no pool update is held\n']);
  const unknown = await cli(['confirm-removal', 'nope', '--url', url]);
  t.same([unknown.code, unknown.stderr], [1, "vipd confirm-removal: nope: no such service in this vipd\n"]);
});
