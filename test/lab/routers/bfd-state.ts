import type { Router } from '../router-types.js';
import { birdc } from './bird.js';
import { frrVtysh } from './frr.js';

/** The router's BFD session with its speaker: 'up', 'down', 'init', 'admindown'…, or null when it has none. */
export async function routerBfdState(r: Router): Promise<string | null> {
  const o = r.options;
  if (r.kind === 'frr') {
    const peers = JSON.parse(await frrVtysh(o, 'bfdd', 'show bfd peers json')) as { peer?: string; status?: string }[];
    return peers.find((p) => p.peer === o.speakerIp)?.status?.toLowerCase() ?? null;
  }
  if (r.kind === 'bird') {
    const line = (await birdc(o, 'show', 'bfd', 'sessions')).split('\n').find((l) => l.trim().startsWith(`${o.speakerIp} `));
    return line ? (line.trim().split(/\s+/)[2] ?? '').toLowerCase() : null;
  }
  return null;
}

/** FRR's whole view of the session (show bfd peer X json), for diagnostics such as the remote's AdminDown. */
export async function frrBfdPeer(r: Router): Promise<Record<string, unknown>> {
  return JSON.parse(await frrVtysh(r.options, 'bfdd', `show bfd peer ${r.options.speakerIp} json`)) as Record<string, unknown>;
}
