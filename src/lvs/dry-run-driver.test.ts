import t from 'tap';
import { silentLogger } from '../log/logger.js';
import { DryRunDriver, KEPT_BATCHES, KEPT_BATCH_CHARS, LOGGED_BATCH_LINES, batchExcerpt } from './dry-run-driver.js';
import { realServer, serviceId, type ServiceKey, type VirtualService } from './model.js';

const key = (port: number): ServiceKey => ({ protocol: 'tcp', address: '10.255.0.1', port });
const svc = (port: number): VirtualService => ({
  key: key(port), scheduler: 'wrr', flags: [], ops: false,
  realServers: [realServer({ address: '10.255.1.1', port, weight: 1, forwarding: 'route' })],
});
const ids = async (d: DryRunDriver) => (await d.read()).map((s) => serviceId(s.key)).sort();

t.test('a service owned later (reload) is deleted once it leaves desired; a foreign one never', async (t) => {
  const foreign = { ...svc(9999), realServers: [] };
  const d = new DryRunDriver({ owned: [key(80)], logger: silentLogger, initial: [foreign] });
  await d.apply([svc(80), svc(81)]);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|81', 'tcp|10.255.0.1|9999']);
  await d.apply([svc(80)]);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|81', 'tcp|10.255.0.1|9999'],
    'not owned: a service only ever desired is left alone');
  d.own([key(81)]);
  const r = await d.apply([svc(80)]);
  t.match(r.batch, /-D -t 10\.255\.0\.1:81/);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|9999']);
  await d.apply([]);
  t.same(await ids(d), ['tcp|10.255.0.1|9999'], 'owned from the start: deleted; foreign: kept');
});

t.test('the dry-run log line shows a long batch\'s first lines and how many more; a short one whole', async (t) => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `-a -t 10.255.0.1:80 -r 10.255.1.${i}:80 -g -w 1`).join('\n') + '\n';
  t.equal(batchExcerpt(lines(3)), lines(3));
  t.equal(batchExcerpt(lines(LOGGED_BATCH_LINES)), lines(LOGGED_BATCH_LINES), 'exactly the limit: whole');
  const cut = batchExcerpt(lines(10_000));
  t.ok(cut.startsWith(lines(LOGGED_BATCH_LINES)), 'the first lines as they are');
  t.ok(cut.endsWith(`… and ${10_000 - LOGGED_BATCH_LINES} more lines\n`), cut.slice(-40));
  t.ok(cut.length < 10_000, `${cut.length} characters`);
});

t.test('a long dry run keeps its last batches, bounded in characters and in number', async (t) => {
  const big = (port: number, n: number): VirtualService => ({
    ...svc(port), realServers: Array.from({ length: n }, (_, i) => realServer({ address: `10.255.${i >> 8}.${i & 255}`, port, weight: 1 + (port & 1), forwarding: 'route' })),
  });
  const d = new DryRunDriver({ owned: [key(80)], logger: silentLogger });
  await d.apply([big(80, 10_000)]);
  t.equal(d.batches.length, 1, 'a batch larger than the bound is kept while it is the last');
  t.ok(d.batches[0]!.length > KEPT_BATCH_CHARS, `${d.batches[0]!.length} characters`);
  await d.apply([big(81, 20)]); // 81 is not owned: only added
  t.equal(d.batches.length, 1, 'the big one dropped for the next');
  for (let i = 0; i < KEPT_BATCHES + 50; i++) { d.own([key(81)]); await d.apply([big(81 + ((i + 1) % 2), 2)]); }
  t.equal(d.applied, KEPT_BATCHES + 52, 'every batch counted');
  t.equal(d.batches.length, KEPT_BATCHES, 'at most KEPT_BATCHES kept');
  t.match(d.batches.at(-1), /-a -t 10\.255\.0\.1:8[12] /, 'the latest is last');
  t.ok(d.batches.reduce((n, b) => n + b.length, 0) <= KEPT_BATCH_CHARS);
});
