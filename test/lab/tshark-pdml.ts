import { execFile } from 'node:child_process';

/**
 * What tshark's own BGP dissector says about each message of a capture (its PDML output), reduced to the facts
 * the cross-check compares: type, announced and withdrawn unicast prefixes (MP ones only for SAFI 1), AS path, MED,
 * NOTIFICATION code.
 */
export interface TsharkMessage {
  type: number;
  announced: string[];
  withdrawn: string[];
  /** AS_PATH as `SEQ:1 2 3|SET:4 5`; null when an AS4_PATH is present (the decoder merges the two). */
  asPath: string | null;
  med: number | null;
  notification: string | null;
}

const SEGMENT = { 1: 'SET', 2: 'SEQ', 3: 'CONFED_SEQ', 4: 'CONFED_SET' } as Record<number, string>;
const ANNOUNCE = /^bgp\.(nlri_prefix|mp_reach_nlri_ipv[46]_prefix)$/;
const WITHDRAW = /^bgp\.(withdrawn_prefix|mp_unreach_nlri_ipv[46]_prefix)$/;
const MP_SAFI = /^bgp\.update\.path_attribute\.mp_(un)?reach_nlri\.safi$/;

export function tsharkPdml(tshark: string, file: string, bgpPorts: number[]): Promise<string> {
  const decodeAs = bgpPorts.filter((p) => p !== 179).flatMap((p) => ['-d', `tcp.port==${p},bgp`]);
  return new Promise((resolve, reject) => {
    execFile(tshark, ['-r', file, ...decodeAs, '-Y', 'bgp', '-T', 'pdml'], { maxBuffer: 256 << 20, timeout: 60_000 }, (err, stdout) =>
      (err ? reject(err) : resolve(stdout)));
  });
}

/** One entry per BGP PDU, in capture order. */
export function parsePdml(pdml: string): TsharkMessage[] {
  const out: TsharkMessage[] = [];
  let cur: (TsharkMessage & { segType: number; segments: string[]; as4: boolean; prefixLen: number | null; mpSafi: number }) | null = null;
  const finish = () => {
    if (!cur) return;
    out.push({
      type: cur.type, announced: cur.announced, withdrawn: cur.withdrawn,
      asPath: cur.as4 ? null : cur.segments.length ? cur.segments.join('|') : null,
      med: cur.med, notification: cur.notification,
    });
    cur = null;
  };
  for (const line of pdml.split('\n')) {
    if (/<proto name=/.test(line) || /<\/packet>/.test(line)) {
      finish();
      if (/<proto name="bgp"/.test(line)) {
        cur = { type: -1, announced: [], withdrawn: [], asPath: null, med: null, notification: null, segType: 0, segments: [], as4: false, prefixLen: null, mpSafi: 1 };
      }
      continue;
    }
    if (!cur) continue;
    const m = /<field name="([^"]*)"[^>]*? show="([^"]*)"/.exec(line);
    if (!m) continue;
    const [, name, show] = m as unknown as [string, string, string];
    const c: NonNullable<typeof cur> = cur;
    if (name === 'bgp.type') c.type = Number(show);
    else if (name === 'bgp.prefix_length') c.prefixLen = Number(show);
    else if (MP_SAFI.test(name)) c.mpSafi = Number(show);
    else if (ANNOUNCE.test(name) && c.prefixLen !== null && (name === 'bgp.nlri_prefix' || c.mpSafi === 1)) c.announced.push(`${show}/${c.prefixLen}`);
    else if (WITHDRAW.test(name) && c.prefixLen !== null && (name === 'bgp.withdrawn_prefix' || c.mpSafi === 1)) c.withdrawn.push(`${show}/${c.prefixLen}`);
    else if (name === 'bgp.update.path_attribute.multi_exit_disc') c.med = Number(show);
    else if (name === 'bgp.update.path_attribute.type_code' && show === '17') c.as4 = true;
    else if (name === 'bgp.update.path_attribute.as_path_segment.type') {
      c.segType = Number(show);
      c.segments.push(`${SEGMENT[c.segType] ?? c.segType}:`);
    } else if (/^bgp\.update\.path_attribute\.as_path_segment\.as[24]$/.test(name) && c.segments.length) {
      const last = c.segments.length - 1;
      c.segments[last] = `${c.segments[last]}${c.segments[last]!.endsWith(':') ? '' : ' '}${show}`;
    } else if (name === 'bgp.notify.major_error') c.notification = `${show}/0`;
    else if (/^bgp\.notify\.minor_error/.test(name) && c.notification) c.notification = `${c.notification.split('/')[0]}/${show}`;
  }
  finish();
  return out;
}
