import { familyOf, hostPort, type RealServer, type ServiceKey, type VirtualService } from './model.js';
import { Slicer } from '../time/slices.js';

/** One ipvsadm operation; a batch of these goes to `ipvsadm -R` in order. */
export type Command =
  | { readonly op: 'add-service'; readonly service: VirtualService }
  | { readonly op: 'edit-service'; readonly service: VirtualService }
  | { readonly op: 'delete-service'; readonly key: ServiceKey }
  | { readonly op: 'add-server'; readonly key: ServiceKey; readonly server: RealServer }
  | { readonly op: 'edit-server'; readonly key: ServiceKey; readonly server: RealServer }
  | { readonly op: 'delete-server'; readonly key: ServiceKey; readonly server: RealServer };

const FORWARDING_FLAG = { route: '-g', tunnel: '-i', masq: '-m' } as const;

/** `-t addr:port`, `-u addr:port` or `-f mark [-6]`. */
export function serviceArgs(key: ServiceKey): string[] {
  if (key.protocol === 'fwmark') return familyOf(key) === 'inet6' ? ['-f', String(key.mark), '-6'] : ['-f', String(key.mark)];
  return [key.protocol === 'tcp' ? '-t' : '-u', hostPort(key.address, key.port)];
}

function serviceOptions(s: VirtualService): string[] {
  const out = ['-s', s.scheduler];
  if (s.ops) out.push('-o');
  if (s.flags.length) out.push('-b', [...s.flags].sort().join(','));
  const p = s.persistence;
  if (p) {
    out.push('-p', String(p.timeout));
    if (p.netmask !== undefined) out.push('-M', p.netmask);
    if (p.engine) out.push('--pe', p.engine);
  }
  return out;
}

/** Thresholds are always given on edit: -e without -x/-y would reset them to 0 anyway. */
function serverOptions(r: RealServer, edit: boolean): string[] {
  const out = ['-r', hostPort(r.address, r.port), FORWARDING_FLAG[r.forwarding], '-w', String(r.weight)];
  if (edit || r.upperThreshold) out.push('-x', String(r.upperThreshold));
  if (edit || r.lowerThreshold) out.push('-y', String(r.lowerThreshold));
  return [...out, ...r.extra];
}

/** The argv of one command (without the program name), exactly as ipvsadm accepts it. */
export function commandArgs(c: Command): string[] {
  switch (c.op) {
    case 'add-service': return ['-A', ...serviceArgs(c.service.key), ...serviceOptions(c.service)];
    case 'edit-service': return ['-E', ...serviceArgs(c.service.key), ...serviceOptions(c.service)];
    case 'delete-service': return ['-D', ...serviceArgs(c.key)];
    case 'add-server': return ['-a', ...serviceArgs(c.key), ...serverOptions(c.server, false)];
    case 'edit-server': return ['-e', ...serviceArgs(c.key), ...serverOptions(c.server, true)];
    case 'delete-server': return ['-d', ...serviceArgs(c.key), '-r', hostPort(c.server.address, c.server.port)];
  }
}

export const renderCommand = (c: Command): string => commandArgs(c).join(' ');

/** The stdin of `ipvsadm -R`: one command a line (no comments: -R rejects them). */
export function renderBatch(commands: readonly Command[]): string {
  return commands.map((c) => renderCommand(c) + '\n').join('');
}

/** `renderBatch`, giving the event loop back every few milliseconds (a 10,000-command batch). */
export async function renderBatchSliced(commands: readonly Command[]): Promise<string> {
  const parts: string[] = [];
  const slicer = new Slicer();
  for (let i = 0; i < commands.length; i += 512) {
    parts.push(renderBatch(commands.slice(i, i + 512)));
    if (slicer.dueNow()) await slicer.pause();
  }
  return parts.join('');
}
