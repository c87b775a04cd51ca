/**
 * Regenerates test/fixtures/pcaps: each router (FRR, BIRD, GoBGP) with ExaBGP or our raw sender, each scenario
 * captured by tcpdump. Run as root: test/lab/capture-all.sh. Prints one line per file written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { startCapture } from './capture.js';
import { createNetns, loopbackBlock, type Netns } from './netns.js';
import { startRouter, type Router, type RouterKind } from './router.js';
import { announceWithdraw, malformed, prefixLimit, routeRefresh, type Peering } from './scenarios.js';

const OUT = resolve(process.argv[2] ?? 'test/fixtures/pcaps');
const KINDS: RouterKind[] = ['frr', 'bird', 'gobgp'];

/** Where each router runs and how it is captured: a variety of link types on purpose. */
const TOPOLOGY: Record<RouterKind, { where: 'netns' | 'lo'; iface: 'veth' | 'lo' | 'any' }> = {
  frr: { where: 'netns', iface: 'veth' }, // Ethernet over a veth pair
  bird: { where: 'lo', iface: 'lo' }, // Ethernet framing on the loopback device
  gobgp: { where: 'netns', iface: 'any' }, // Linux cooked capture v2, taken inside the namespace
};

type Scenario = (p: Peering) => Promise<unknown>;
const SCENARIOS: [string, Scenario, { v6?: boolean }][] = [
  ['announce-withdraw', announceWithdraw, { v6: true }],
  ['prefix-limit', prefixLimit, {}],
  ['route-refresh', routeRefresh, {}],
  ['malformed', malformed, {}],
];

async function run(kind: RouterKind, name: string, scenario: Scenario, v6: boolean): Promise<string> {
  const topo = TOPOLOGY[kind];
  let ns: Netns | null = null;
  let routerIp: string, speakerIp: string;
  if (topo.where === 'netns') {
    ns = await createNetns();
    routerIp = ns.nsIp;
    speakerIp = ns.hostIp;
  } else {
    const lo = loopbackBlock();
    routerIp = lo.router(0);
    speakerIp = lo.speaker;
  }
  const file = `${OUT}/${kind}-${name}.pcap`;
  const tmp = `${file}.tmp`;
  let router: Router | null = null;
  const cap = await startCapture({
    iface: topo.iface === 'veth' ? ns!.hostIf : topo.iface, netns: topo.iface === 'any' ? ns?.name : undefined,
    filter: `tcp and host ${routerIp}`, file: tmp, nano: kind === 'gobgp',
  });
  try {
    router = await startRouter({ kind, routerIp, speakerIp, netns: ns?.name, v6 });
    const result = await scenario({
      router, speakerIp, nextHop: ns ? speakerIp : '192.0.2.10', nextHop6: ns ? ns.hostIp6 : '2001:db8::10',
    });
    await cap.stop();
    renameSync(tmp, file);
    return `${file} (${statSync(file).size} bytes)${Array.isArray(result) ? `\n  ${result.join('\n  ')}` : ''}`;
  } finally {
    await cap.stop();
    await router?.stop();
    await ns?.destroy();
  }
}

mkdirSync(OUT, { recursive: true });
for (const kind of KINDS) {
  for (const [name, scenario, opts] of SCENARIOS) {
    process.stdout.write(`${await run(kind, name, scenario, opts.v6 ?? false)}\n`);
  }
}
// pcapng copies (one microsecond, one nanosecond), so the shipped set covers both container formats.
for (const name of ['bird-announce-withdraw', 'gobgp-route-refresh']) {
  execFileSync('editcap', ['-F', 'pcapng', `${OUT}/${name}.pcap`, `${OUT}/${name}.pcapng`], { stdio: 'ignore' });
  process.stdout.write(`${OUT}/${name}.pcapng\n`);
}
