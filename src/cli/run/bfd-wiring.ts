/**
 * BFD tied to the BGP speaker (issue 14 §2, RFC 5882): one session per peer with bgp-bfd = yes,
 * run by the native addon's thread (src/bfd, docs/bfd.md); a failure ends that peer's BGP session
 * (Cease 10, RFC 9384); a stop sends AdminDown once the BGP sessions are closed (RFC 5882 §3.2, stop-bgp.ts).
 */
import ipaddr from 'ipaddr.js';
import { BfdManager, isBfdNative, type BfdPeer } from '../../bfd/index.js';
import type { BgpStatus } from '../../api/types.js';
import type { GlobalConfig } from '../../config/index.js';
import { nativeAddon, nativeAddonUnavailable } from '../../health/monitors/native-addon.js';
import type { Logger } from '../../log/logger.js';
import type { SpeakerControl } from '../../speaker/index.js';
import type { Clock } from '../../time/clock.js';

const family = (a: string): number => (ipaddr.IPv4.isValidFourPartDecimal(a) ? 4 : 6);

/** The BFD sessions `g` asks for; a peer without bgp-local-address uses the one bgp-local-ips of its family, else the wildcard. Pure. */
export function bfdPeers(g: GlobalConfig): BfdPeer[] {
  return g.bgpPeers.filter((p) => p.bfd).map((p) => {
    const local = p.localAddress ?? g.bgpLocalIps.filter((a) => a !== '' && family(a) === family(p.address));
    return {
      address: p.address, localAddress: typeof local === 'string' ? local : local.length === 1 ? local[0] as string : null,
      intervalMs: p.bfdInterval, multiplier: p.bfdMultiplier,
    };
  });
}

export { stopBgp } from './stop-bgp.js';

export class BfdWiring {
  private manager: BfdManager | null = null;

  constructor(private readonly speaker: SpeakerControl, private readonly clock: Clock, private readonly log: Logger) {}

  /** The wiring for a daemon with a speaker (null without BGP); `configure` starts the sessions. */
  static for(speaker: SpeakerControl | null, clock: Clock, log: Logger): BfdWiring | null {
    return speaker ? new BfdWiring(speaker, clock, log.child({ component: 'bfd' })) : null;
  }

  /** Start and reload (applyPlan): makes the sessions match the config; problems are logged per peer. */
  configure(g: GlobalConfig): void {
    const peers = bfdPeers(g);
    if (!peers.length && !this.manager) return;
    const m = this.manager ?? this.create();
    if (!m) return;
    for (const e of m.sync(peers)) this.log.error(e);
  }

  /** RFC 5882 §3.2: AdminDown on every session once BGP has stopped (resolves within 500 ms). */
  async adminDownAll(): Promise<void> {
    await this.manager?.adminDownAll();
  }

  stop(): void {
    this.manager?.stop();
  }

  /** /bgp with each peer's BFD session. */
  withBfd(b: BgpStatus): BgpStatus {
    const m = this.manager;
    if (!m) return b;
    return {
      ...b,
      peers: b.peers.map((p) => {
        const s = m.status(p.peer);
        if (!s) return p;
        const { peer: _peer, ...bfd } = s;
        return { ...p, bfd };
      }),
    };
  }

  private create(): BfdManager | null {
    const native: unknown = nativeAddon();
    if (!isBfdNative(native)) {
      this.log.error(`bgp-bfd = yes but BFD is not available: ${nativeAddonUnavailable() || 'the native addon has no BFD; rebuild it'} (npm run build:native)`);
      return null;
    }
    this.manager = new BfdManager(native, this.clock, this.log, (c) => {
      if (c.failure) this.speaker.bfdDown(c.peer, c.diag);
    });
    return this.manager;
  }
}
