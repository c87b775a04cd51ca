import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../lab/proc.js';
import { all, API_VIP, ipvsChanges, nothingMoves, startRig, typoLine, WEB_VIP } from './pools-rig.js';

// Issue 11: "HTTP pool credentials (`http://user:pass@...`) are shown by the unauthenticated
// /alerts and in every pool log line." Now the userinfo is sent as basic auth and shown as ***,
// query values too; a body with typos keeps the hosts it names; [api] does not move.

const USER = 'vipd';
const PASS = 'h77p-s3cret';
const TOKEN = 't0ken-s3cret';

t.test('an HTTP pool with credentials and a typo in 3 of 4 lines: hosts kept, /alerts and logs redacted, [api] untouched', async (t) => {
  let body = '';
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    const ok = req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    res.writeHead(ok ? 200 : 401);
    res.end(ok ? body : '');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }));
  const base = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const rig = await startRig(t, async (hosts) => {
    body = hosts.map((h) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }\n`).join('');
    return `http://${USER}:${PASS}@${base}/pools/web?token=${TOKEN}`;
  });
  if (!rig) return;
  t.ok(seen.length > 0 && seen.every((a) => a.startsWith('Basic ')), 'the userinfo was sent as basic auth');
  const from = rig.vipd.lines.length;
  const [w1, w2, w3, w4] = rig.web as [string, string, string, string];
  body = [typoLine(w1), typoLine(w2), typoLine(w3), `{ 'host': '${w4}', 'weight': 10, 'enabled': True }`].join('\n') + '\n';
  const shown = `http://***@${base}/pools/web?token=***`;
  await waitFor('the alert', 5000, async () => (await rig.alerts()).msg.includes(`${shown}:1: ${w1}: weight must be an integer, got '10'`), 50);
  t.match((await rig.alerts()).msg, `kept the previous entry of ${w1}, ${w2}, ${w3}`);
  t.ok(await nothingMoves(rig, 2000, { web: all(rig.web), api: all(rig.api) }) > 5, '[web] keeps its 4, [api] its 4, both VIPs announced');
  t.same(ipvsChanges(rig, from, WEB_VIP), []);
  t.same(ipvsChanges(rig, from, API_VIP), []);

  body = '';
  await waitFor('the empty-list alert', 5000, async () => (await rig.alerts()).msg.includes(`${shown}: no servers in the new list`), 50);
  const everything = JSON.stringify(rig.vipd.lines) + rig.vipd.stderr.join('') + JSON.stringify(await rig.alerts());
  t.notOk(everything.includes(PASS), 'the password is in no log line or alert');
  t.notOk(everything.includes(TOKEN), 'the query token is in no log line or alert');
  t.ok(JSON.stringify(rig.vipd.lines).includes(shown), 'the pool is logged, redacted');
});
