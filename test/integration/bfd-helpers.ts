// `vipd run` with BFD to routers in netns: the config, and its /bgp view (bfd-routers.test.ts, bench/failover-bfd.ts).
import type { Vipd } from './e2e-helpers.js';

export interface BfdPeerSpec { router: string; speaker: string }

/** [global] with BGP + BFD to each peer (its own [bgp-peer] section with the local address); VIP announced always. */
export function bfdConfig(o: { peers: BfdPeerSpec[]; apiIp: string; apiPort: number; intervalMs: number; multiplier?: number; vip?: string; extra?: string[] }): string {
  const first = o.peers[0]!;
  return [
    '[global]', 'bgp = yes', 'bgp-local-asn = 64600',
    `bgp-peer-address = [ ${o.peers.map((p) => `"${p.router}"`).join(', ')} ]`,
    'bgp-peer-as = 64601', 'bgp-hold-time = 30', `bgp-nexthop-ipv${first.speaker.includes(':') ? 6 : 4} = ${first.speaker}`,
    'bgp-bfd = yes', `bgp-bfd-interval = ${o.intervalMs}`, `bgp-bfd-multiplier = ${o.multiplier ?? 3}`,
    'instrumentation = yes', `instrumentation_port = ${o.apiPort}`, `instrumentation_ips = [ "${o.apiIp}" ]`,
    ...(o.vip ? [`advertised_instrumentation_ips = [ "${o.vip.split('/')[0]}" ]`] : []),
    ...(o.extra ?? []),
    ...o.peers.flatMap((p) => ['', `[bgp-peer ${p.router}]`, `bgp-local-address = ${p.speaker}`]),
    '',
  ].join('\n');
}

export interface PeerView {
  peer: string; state: string; lastNotificationSent: { code: number; subcode: number } | null; lastDownReason?: string | null;
  bfd?: { state: string; remoteState: string; flaps: number; packetsSent: number; packetsReceived: number };
}

export async function peerViews(v: Vipd): Promise<PeerView[]> {
  const b = (await v.get('/bgp')).body as { peers?: PeerView[] };
  return b.peers ?? [];
}
