import { isIP } from 'node:net';
import type { CheckRequest, CheckResult, Monitor, Schedule, Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import { buildRequest, httpProbe, type HttpProbeResult } from './http-probe.js';
import { fastHttpProbe } from './fast-http-probe.js';
import { statusRule, type StatusRule } from '../catalogue/index.js';
import type { CheckSignal } from '../check-signal.js';
import { redactText, redactUrl } from '../../log/redact.js';

interface ProbeUrl {
  /** The URL as reasons show it: userinfo and query values hidden (src/log/redact.ts). */
  text: string;
  tls: boolean;
  servername?: string;
  request: Buffer;
  /** `text: HTTP 200` and the like, built once per status seen (a few), not once per check. */
  okReasons: Map<number, string>;
}

export interface ProxyFetchConfig {
  schedule: Schedule;
  urls: ProbeUrl[];
  checkAll: boolean;
  maxFailures: number;
  status: StatusRule;
  expectBody: RegExp | null;
  verifyTls: boolean;
}

const MAX_BYTES = 64 * 1024;

/** A URL the catalogue has checked (http or https, parses). */
function parseUrl(text: string): ProbeUrl {
  const u = new URL(text);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return {
    text: redactUrl(text),
    tls: u.protocol === 'https:',
    ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
    request: buildRequest(u.host, (u.pathname || '/') + u.search),
    okReasons: new Map(),
  };
}

export function parseProxyFetch(options: MonitorOptions): ProxyFetchConfig {
  const o = readOptions('ProxyFetch', options);
  const pattern = o['expect-body'];
  return {
    schedule: scheduleOf(o),
    urls: o.url.map(parseUrl),
    checkAll: o.check_all,
    maxFailures: o.max_failures,
    status: statusRule(o.http_status),
    expectBody: pattern === undefined ? null : new RegExp(pattern),
    verifyTls: o['verify-tls'],
  };
}

/** The result of a check of one URL: classes, not literals (why: fast-http-probe.ts's Pending). */
class OneFetch implements CheckResult {
  readonly requests: CheckRequest[];
  constructor(readonly up: boolean, readonly reason: string, readonly ms: number, url: string) {
    this.requests = Array.of<CheckRequest>(new FetchRequest(url, up, ms));
  }
}
class FetchRequest implements CheckRequest {
  constructor(readonly url: string, readonly up: boolean, readonly ms: number) {}
}

/** HTTP(S) GET of the configured URL(s) from the server's address and the service port. */
export class ProxyFetchMonitor implements Monitor {
  readonly kind = 'ProxyFetch';
  readonly schedule: Schedule;
  /** Every check can go through the native probe: one URL at a time, plain HTTP, no body to match. */
  private readonly plain: boolean;
  constructor(private readonly cfg: ProxyFetchConfig, private readonly random: () => number = Math.random) {
    this.schedule = cfg.schedule;
    this.plain = !cfg.checkAll && cfg.expectBody === null && cfg.urls.every((u) => !u.tls);
  }

  check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const urls = this.cfg.urls;
    const started = performance.now();
    if (!this.cfg.checkAll) {
      // One promise and one result per check (issue 13: the JavaScript per check at 10,000 servers).
      const u = this.pick();
      return this.probe(u, target, signal).then((res) => this.outcome(u, res, started));
    }
    return Promise.all(urls.map((u) => this.fetchOne(u, target, signal))).then((outcomes) => {
      const failures = outcomes.filter((o) => !o.up);
      const up = failures.length <= this.cfg.maxFailures;
      const reason = up ? outcomes.map((o) => o.reason).join('; ') : failures.map((o) => o.reason).join('\n');
      const requests = outcomes.map((o, i) => ({ url: urls[i]!.text, up: o.up, ms: o.ms }));
      return { up, reason, ms: performance.now() - started, requests };
    });
  }

  /** Through the native probe when every check can go that way (`plain`). */
  checkThen(target: Target, signal: CheckSignal, done: (result: CheckResult) => void): boolean {
    const fast = this.plain ? fastHttpProbe() : null;
    if (!fast) return false;
    const u = this.pick();
    const started = performance.now();
    fast.statusThen(target.ip, target.port, u.request, signal, (res) => done(this.outcome(u, res, started)));
    return true;
  }

  /** The URL of a check that fetches one (check_all off): each in turn at random. */
  private pick(): ProbeUrl {
    const urls = this.cfg.urls;
    return urls.length === 1 ? urls[0]! : urls[Math.floor(this.random() * urls.length) % urls.length]!;
  }

  private outcome(u: ProbeUrl, res: HttpProbeResult, started: number): CheckResult {
    const j = this.judge(u, res);
    return new OneFetch(j.up, j.reason, performance.now() - started, u.text);
  }

  private fetchOne(u: ProbeUrl, target: Target, signal: CheckSignal): Promise<{ up: boolean; reason: string; ms: number }> {
    const started = performance.now();
    return this.probe(u, target, signal).then((res) => {
      const j = this.judge(u, res);
      return { up: j.up, reason: j.reason, ms: performance.now() - started };
    });
  }

  /** Plain HTTP without a body to read goes straight to the native probe (no request object per check). */
  private probe(u: ProbeUrl, target: Target, signal: CheckSignal): Promise<HttpProbeResult> {
    const fast = !u.tls && this.cfg.expectBody === null ? fastHttpProbe() : null;
    if (fast) return fast.status(target.ip, target.port, u.request, signal);
    return httpProbe({
      ip: target.ip, port: target.port, tls: u.tls, verifyTls: this.cfg.verifyTls, request: u.request,
      wantBody: this.cfg.expectBody !== null, maxBytes: MAX_BYTES, signal, servername: u.servername,
    });
  }

  private judge(u: ProbeUrl, res: HttpProbeResult): { up: boolean; reason: string } {
    if (!res.ok) return { up: false, reason: `${u.text}: ${redactText(res.reason)}` };
    if (!this.cfg.status.accepts(res.status)) {
      return { up: false, reason: `${u.text}: HTTP ${res.status} (expected ${this.cfg.status.describe})` };
    }
    if (this.cfg.expectBody && !this.cfg.expectBody.test(res.body ?? '')) {
      return { up: false, reason: `${u.text}: HTTP ${res.status} but body does not match /${this.cfg.expectBody.source}/` };
    }
    let reason = u.okReasons.get(res.status);
    if (reason === undefined) u.okReasons.set(res.status, (reason = `${u.text}: HTTP ${res.status}`));
    return { up: true, reason };
  }
}
