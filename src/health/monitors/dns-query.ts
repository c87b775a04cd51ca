import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { errorReason, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import { decodeResponseHeader, encodeQuery, TYPE_A, TYPE_AAAA } from './dns-wire.js';
import { parseDnsAnswer } from './dns-message.js';
import type { CheckSignal } from '../check-signal.js';

export interface DnsQueryConfig {
  schedule: Schedule;
  hostnames: string[];
  failOnNxdomain: boolean;
  port: number;
}

export function parseDnsQuery(options: MonitorOptions): DnsQueryConfig {
  const o = readOptions('DNSQuery', options);
  return { schedule: scheduleOf(o), hostnames: [...o.hostnames], failOnNxdomain: o['fail-on-nxdomain'], port: o.port };
}

/**
 * One query (random hostname, random A or AAAA) to the server's address; any well-formed answer is
 * up, NXDOMAIN is up unless fail-on-nxdomain; SERVFAIL, REFUSED, silence and a malformed message
 * (every section is parsed: counts, names, pointers, record lengths) are down.
 */
export class DnsQueryMonitor implements Monitor {
  readonly kind = 'DNSQuery';
  readonly schedule: Schedule;
  constructor(private readonly cfg: DnsQueryConfig, private readonly random: () => number = Math.random) {
    this.schedule = cfg.schedule;
  }

  check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const started = performance.now();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.random() * xs.length) % xs.length]!;
    const name = pick(this.cfg.hostnames);
    const qtype = pick([TYPE_A, TYPE_AAAA]);
    const typeName = qtype === TYPE_A ? 'A' : 'AAAA';
    const id = Math.floor(this.random() * 0x10000) & 0xffff;
    const query = encodeQuery(id, name, qtype);
    const fqdn = name.replace(/\.$/, '').toLowerCase() + '.';
    return new Promise((resolve) => {
      const sock = createSocket(isIPv6(target.ip) ? 'udp6' : 'udp4');
      let finished = false;
      const done = (up: boolean, reason: string): void => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        try { sock.close(); } catch { /* already closed */ }
        resolve({ up, reason: `${name} ${typeName}: ${reason}`, ms: performance.now() - started });
      };
      const onAbort = (): void => done(false, 'no answer (timeout)');
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
      sock.on('error', (e) => done(false, errorReason(e)));
      sock.on('message', (msg) => {
        const v = decodeResponseHeader(msg);
        if (!v || v.id !== id) return; // not our answer; keep waiting
        const p = parseDnsAnswer(msg);
        if (!p.ok) { done(false, `malformed answer: ${p.error}`); return; }
        const q = p.value.questions[0];
        // RFC 5452 §9.1: the answer must be for the question asked
        if (q && (q.name.toLowerCase() !== fqdn || q.type !== qtype || p.value.questions.length !== 1)) {
          done(false, `answer is for another question (${q.name} type ${q.type})`);
          return;
        }
        if (v.rcode === 0) done(true, `NOERROR, ${p.value.answers.length} answer(s)`);
        else if (v.rcode === 3) done(!this.cfg.failOnNxdomain, 'NXDOMAIN');
        else done(false, v.rcodeName);
      });
      sock.connect(this.cfg.port, target.ip, () => {
        sock.send(query, (e) => { if (e) done(false, `send: ${errorReason(e)}`); });
      });
    });
  }
}
