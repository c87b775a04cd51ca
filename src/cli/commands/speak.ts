import type { CommandModule } from 'yargs';
import ipaddr from 'ipaddr.js';
import { parseCommunity } from '../../bgp/index.js';
import { Speaker, canonicalPrefix, type PeerConfig, type Route } from '../../speaker/index.js';
import { systemClock } from '../../time/clock.js';
import { createLogger } from '../../log/logger.js';
import { md5PasswordFile } from '../../config/index.js';
import { needsSecureSocket } from '../../speaker/secure-socket.js';
import { secureSockets, secureSocketsUnavailable } from '../run/tcp-security.js';

interface SpeakArgs {
  'local-as': number; peer: string; 'peer-as'?: number; 'local-address'?: string; 'router-id'?: string;
  hold?: number; passive: boolean; port?: number; 'next-hop': string[]; announce: string[]; med?: number;
  community: string[]; 'max-prefixes'?: number; 'inbound-limit'?: number; 'withdraw-after'?: number;
  duration?: number; message: string; 'log-level': string;
  'md5-password-file'?: string; 'ttl-security'?: boolean; 'graceful-restart'?: number;
}

/** Turns the flags into a peer and routes; every problem is named by its flag. */
export function speakPlan(a: SpeakArgs): { peer: PeerConfig; routes: Route[]; errors: string[] } {
  const errors: string[] = [];
  const nextHop: { ipv4?: string; ipv6?: string } = {};
  for (const nh of a['next-hop']) {
    if (!ipaddr.isValid(nh)) { errors.push(`--next-hop ${nh}: not an IP address`); continue; }
    nextHop[ipaddr.parse(nh).kind() === 'ipv6' ? 'ipv6' : 'ipv4'] = nh;
  }
  const communities: number[] = [];
  for (const c of a.community) {
    const v = parseCommunity(c);
    if (v === null) errors.push(`--community ${c}: want ASN:VALUE (each 0..65535) or a well-known name`);
    else communities.push(v);
  }
  const routes: Route[] = [];
  for (const p of a.announce) {
    const c = canonicalPrefix(p);
    if ('error' in c) { errors.push(`--announce ${c.error}`); continue; }
    const r: Route = { prefix: c.prefix };
    if (a.med !== undefined) r.med = a.med;
    if (communities.length) r.communities = communities;
    routes.push(r);
  }
  const peer: PeerConfig = { address: a.peer, mode: a.passive ? 'passive' : 'active', nextHop };
  if (a['peer-as'] !== undefined) peer.peerAs = a['peer-as'];
  if (a['local-address'] !== undefined) peer.localAddress = a['local-address'];
  if (a.hold !== undefined) peer.holdTime = a.hold;
  if (a.port !== undefined) peer.port = a.port;
  if (a['max-prefixes'] !== undefined) peer.maxPrefixes = a['max-prefixes'];
  if (a['inbound-limit'] !== undefined) peer.inboundLimit = a['inbound-limit'];
  if (a['md5-password-file'] !== undefined) {
    const key = md5PasswordFile(a['md5-password-file'], '--md5-password-file');
    if (typeof key === 'string') errors.push(key); else peer.md5Key = key;
  }
  if (a['ttl-security']) peer.ttlSecurity = true;
  const gr = a['graceful-restart'];
  if (gr !== undefined) {
    if (!Number.isInteger(gr) || gr < 1 || gr > 4095) errors.push(`--graceful-restart ${gr}: the restart time is 1..4095 seconds (RFC 4724 §3)`);
    else peer.gracefulRestartTime = gr;
  }
  return { peer, routes, errors };
}

/** `vipd speak`: one BGP session, announcing what the flags say; one JSON event per line on stdout. */
export const speakCommand: CommandModule<object, SpeakArgs> = {
  command: 'speak',
  describe: 'run a standalone BGP speaker against one router (JSON events on stdout)',
  builder: (y) => y
    .option('local-as', { type: 'number', demandOption: true, describe: 'our AS (4-octet allowed)' })
    .option('peer', { type: 'string', demandOption: true, describe: "the router's address" })
    .option('peer-as', { type: 'number', describe: "the router's AS (default: any, learned from its OPEN)" })
    .option('local-address', { type: 'string', describe: 'our address (the router has it as neighbor)' })
    .option('router-id', { type: 'string', describe: 'BGP identifier; required over IPv6' })
    .option('hold', { type: 'number', describe: 'hold time offered, seconds (default 90)' })
    .option('passive', { type: 'boolean', default: false, describe: 'accept the connection instead of connecting' })
    .option('port', { type: 'number', describe: 'TCP port (default 179)' })
    .option('next-hop', { type: 'string', array: true, default: [] as string[], describe: 'next hop (once per family)' })
    .option('announce', { type: 'string', array: true, default: [] as string[], describe: 'prefix to announce (repeatable)' })
    .option('med', { type: 'number', describe: 'MED for every announced prefix' })
    .option('community', { type: 'string', array: true, default: [] as string[], describe: 'community ASN:VALUE (repeatable)' })
    .option('max-prefixes', { type: 'number', describe: "the router's prefix limit: never send more" })
    .option('inbound-limit', { type: 'number', describe: 'received prefixes before Cease 6/1 (default 1000)' })
    .option('withdraw-after', { type: 'number', describe: 'withdraw everything after S seconds' })
    .option('duration', { type: 'number', describe: 'stop gracefully after S seconds' })
    .option('message', { type: 'string', default: 'vipd speak shutting down', describe: 'RFC 9003 shutdown message' })
    .option('md5-password-file', { type: 'string', describe: 'TCP-MD5 (RFC 2385) password, one line in a file others cannot read' })
    .option('ttl-security', { type: 'boolean', describe: 'GTSM (RFC 5082): TTL 255 out, at least 254 in' })
    .option('graceful-restart', { type: 'number', describe: 'offer graceful restart (RFC 4724) with this restart time, s; SIGTERM/SIGINT then close without withdrawing' })
    .option('log-level', { type: 'string', default: 'warn', choices: ['debug', 'info', 'warn', 'error'] }) as never,
  handler: async (a) => {
    const plan = speakPlan(a);
    if (plan.errors.length) throw new Error(plan.errors.join('; '));
    const log = createLogger({ level: a['log-level'] as 'debug' | 'info' | 'warn' | 'error' });
    const sockets = needsSecureSocket(plan.peer) ? secureSockets() : undefined;
    if (needsSecureSocket(plan.peer) && !sockets) throw new Error(`--md5-password-file / --ttl-security: ${secureSocketsUnavailable()}`);
    const speaker = new Speaker({ localAs: a['local-as'], ...(a['router-id'] ? { routerId: a['router-id'] } : {}), peers: [plan.peer] }, systemClock, log, sockets);
    speaker.onEvent((e) => process.stdout.write(JSON.stringify(e) + '\n'));
    speaker.setAdvertised(plan.routes);
    await speaker.start();
    await new Promise<void>((resolve) => {
      const cancels: (() => void)[] = [];
      let stopping = false;
      const stop = (why: string): void => {
        if (stopping) return;
        stopping = true;
        for (const c of cancels) c();
        process.stdout.write(JSON.stringify({ event: 'stopping', reason: why }) + '\n');
        // RFC 4724: with --graceful-restart a signal is a planned restart (the router keeps the routes as stale)
        void speaker.stop({ message: a.message, gracefulRestart: plan.peer.gracefulRestartTime !== undefined && why !== 'duration' }).then(resolve);
      };
      const onSignal = (sig: NodeJS.Signals): void => stop(sig);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      cancels.push(() => { process.off('SIGTERM', onSignal); process.off('SIGINT', onSignal); });
      if (a['withdraw-after'] !== undefined) cancels.push(systemClock.setTimer(a['withdraw-after'] * 1000, () => speaker.setAdvertised([])));
      if (a.duration !== undefined) cancels.push(systemClock.setTimer(a.duration * 1000, () => stop('duration')));
    });
    process.stdout.write(JSON.stringify({ event: 'stopped' }) + '\n');
  },
};
