import { startExaBgp } from './exabgp.js';
import { sleep, waitFor } from './proc.js';
import * as raw from './raw-bgp.js';
import { establish, rawSpeaker } from './raw-speaker.js';
import type { Router } from './router.js';

/** The scenarios recorded into test/fixtures/pcaps, each against a router that is already running. */

const SPEAKER_AS = 64600;

export interface Peering { router: Router; speakerIp: string; nextHop: string; nextHop6: string }

/** ExaBGP announces IPv4 and IPv6 VIPs (one /24 the policy filters), then withdraws two. */
export async function announceWithdraw(p: Peering): Promise<void> {
  const exa = await startExaBgp({ routerIp: p.router.ip, speakerIp: p.speakerIp, v6: true });
  try {
    await p.router.waitEstablished(15_000);
    await exa.send(`announce route 10.0.0.1/32 next-hop ${p.nextHop} med 100`);
    await exa.send(`announce route 208.80.153.10/32 next-hop ${p.nextHop} med 100 community [64600:100]`);
    await exa.send(`announce route 10.9.9.0/24 next-hop ${p.nextHop} med 100`);
    await exa.send(`announce route 2620:0:860:1::10/128 next-hop ${p.nextHop6} med 100`);
    await p.router.waitRib((r) => r.length >= 3, 10_000);
    await exa.send(`withdraw route 208.80.153.10/32 next-hop ${p.nextHop}`);
    await exa.send(`withdraw route 2620:0:860:1::10/128 next-hop ${p.nextHop6}`);
    await p.router.waitRib((r) => r.length === 1, 10_000);
  } finally {
    await exa.stop();
  }
}

/** ExaBGP announces /32s one by one until the router tears the session down (Cease 6/1). */
export async function prefixLimit(p: Peering): Promise<void> {
  const exa = await startExaBgp({ routerIp: p.router.ip, speakerIp: p.speakerIp });
  try {
    await p.router.waitEstablished(15_000);
    for (let i = 1; i <= 14 && (await p.router.established()); i++) {
      await exa.send(`announce route 10.0.1.${i}/32 next-hop ${p.nextHop} med 100`);
      await sleep(p.router.kind === 'frr' ? 120 : 40);
    }
    await waitFor('the prefix limit to end the session', 5_000, async () => !(await p.router.established()));
    await sleep(200);
  } finally {
    await exa.stop();
  }
}

/** A route-refresh capable peer: the router asks for a refresh (FRR, BIRD) and we ask the router for one. */
export async function routeRefresh(p: Peering): Promise<void> {
  const s = await establish({ routerIp: p.router.ip, speakerIp: p.speakerIp },
    { asn: SPEAKER_AS, holdTime: 30, bgpId: '192.0.2.1', routeRefresh: true });
  try {
    s.send(raw.update({ attrs: raw.vipAttrs(SPEAKER_AS, p.nextHop), nlri: [raw.prefix('10.0.0.5/32')] }));
    await p.router.waitRib((r) => r.some((x) => x.prefix === '10.0.0.5/32'), 5_000);
    await p.router.routeRefresh();
    if (p.router.kind !== 'gobgp') await s.waitFor(5, 3_000);
    s.send(raw.update({ attrs: raw.vipAttrs(SPEAKER_AS, p.nextHop), nlri: [raw.prefix('10.0.0.5/32')] }));
    s.send(raw.routeRefresh(1, 1, 0));
    await sleep(300);
  } finally {
    await s.close();
  }
}

interface Probe { name: string; open?: raw.OpenSpec; message?: (nh: string) => Buffer }

/** Deliberately malformed messages from our side, one TCP session each; the router's NOTIFICATION is recorded. */
export const PROBES: Probe[] = [
  { name: 'open-hold-1', open: { asn: SPEAKER_AS, holdTime: 1, bgpId: '192.0.2.1' } },
  { name: 'open-bad-peer-as', open: { asn: 4200000000, holdTime: 30, bgpId: '192.0.2.1' } },
  { name: 'bad-marker', message: () => raw.message(4, [], { marker: [0xfe, ...new Array<number>(15).fill(0xff)] }) },
  { name: 'bad-length', message: () => Buffer.concat([raw.message(4, [], { length: 18 })]) },
  { name: 'update-total-attr-len', message: () => raw.update({ attrs: [raw.origin(0)], attrLength: 200 }) },
  { name: 'update-nlri-33', message: (nh) => raw.update({ attrs: raw.vipAttrs(SPEAKER_AS, nh), nlri: [[33, 10, 0, 0, 7, 0]] }) },
  { name: 'update-origin-invalid', message: (nh) => raw.update({ attrs: [raw.origin(7), raw.asPath([SPEAKER_AS]), raw.nextHop(nh)], nlri: [raw.prefix('10.0.0.7/32')] }) },
  { name: 'update-unknown-well-known', message: (nh) => raw.update({ attrs: [...raw.vipAttrs(SPEAKER_AS, nh), { flags: 0x40, type: 99, value: [1, 2, 3, 4] }], nlri: [raw.prefix('10.0.0.8/32')] }) },
];

export async function malformed(p: Peering): Promise<string[]> {
  const answers: string[] = [];
  for (const probe of PROBES) {
    await p.router.restart();
    const target = { routerIp: p.router.ip, speakerIp: p.speakerIp };
    const s = probe.open ? await rawSpeaker(target) : await establish(target, { asn: SPEAKER_AS, holdTime: 30, bgpId: '192.0.2.1' });
    try {
      if (probe.open) s.send(raw.open(probe.open));
      if (probe.message) s.send(probe.message(p.nextHop));
      const got = await s.waitFor(3, 1_500);
      answers.push(`${probe.name}: ${got ? 'NOTIFICATION' : 'no NOTIFICATION'}`);
    } finally {
      await s.close();
    }
  }
  return answers;
}
