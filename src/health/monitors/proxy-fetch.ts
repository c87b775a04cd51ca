import { isIP } from 'node:net';
import type { CheckResult, Monitor, Schedule, Target } from '../monitor.js';
import { OptionReader, readSchedule, type MonitorOptions } from '../options.js';
import { httpProbe } from './http-probe.js';
import { readStatusRule, type StatusRule } from './http-status.js';

interface ProbeUrl {
  text: string;
  tls: boolean;
  host: string;
  servername?: string;
  path: string;
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

function parseUrl(r: OptionReader, text: string): ProbeUrl {
  let u: URL;
  try { u = new URL(text); } catch { return r.fail('url', `not a valid URL: '${text}'`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') r.fail('url', `scheme must be http or https, got '${text}'`);
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  return {
    text,
    tls: u.protocol === 'https:',
    host: u.host,
    ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
    path: (u.pathname || '/') + u.search,
  };
}

export function parseProxyFetch(options: MonitorOptions): ProxyFetchConfig {
  const r = new OptionReader('proxyfetch', options);
  const schedule = readSchedule(r, { interval: 10, timeout: 5 });
  const urls = r.stringList('url', true).map((u) => parseUrl(r, u));
  const checkAll = r.bool('check_all', false);
  const maxFailures = r.number('max_failures', 0, { min: 0, integer: true });
  const status = readStatusRule(r);
  const pattern = r.string('expect-body');
  let expectBody: RegExp | null = null;
  if (pattern !== undefined) {
    try { expectBody = new RegExp(pattern); } catch (e) {
      r.fail('expect-body', `not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const verifyTls = r.bool('verify-tls', false);
  r.finish();
  return { schedule, urls, checkAll, maxFailures, status, expectBody, verifyTls };
}

/** HTTP(S) GET of the configured URL(s) from the server's address and the service port. */
export class ProxyFetchMonitor implements Monitor {
  readonly kind = 'ProxyFetch';
  readonly schedule: Schedule;
  constructor(private readonly cfg: ProxyFetchConfig, private readonly random: () => number = Math.random) {
    this.schedule = cfg.schedule;
  }

  async check(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const started = performance.now();
    const urls = this.cfg.checkAll
      ? this.cfg.urls
      : [this.cfg.urls[Math.floor(this.random() * this.cfg.urls.length) % this.cfg.urls.length]!];
    const outcomes = await Promise.all(urls.map((u) => this.fetchOne(u, target, signal)));
    const failures = outcomes.filter((o) => !o.up);
    const allowed = this.cfg.checkAll ? this.cfg.maxFailures : 0;
    const up = failures.length <= allowed;
    const reason = up
      ? outcomes.map((o) => o.reason).join('; ')
      : failures.map((o) => o.reason).join('\n');
    return { up, reason, ms: performance.now() - started };
  }

  private async fetchOne(u: ProbeUrl, target: Target, signal: AbortSignal): Promise<{ up: boolean; reason: string }> {
    const res = await httpProbe({
      ip: target.ip, port: target.port, tls: u.tls, verifyTls: this.cfg.verifyTls, host: u.host, path: u.path,
      wantBody: this.cfg.expectBody !== null, maxBytes: MAX_BYTES, signal,
      ...(u.servername ? { servername: u.servername } : {}),
    });
    if (!res.ok) return { up: false, reason: `${u.text}: ${res.reason}` };
    if (!this.cfg.status.accepts(res.status)) {
      return { up: false, reason: `${u.text}: HTTP ${res.status} (expected ${this.cfg.status.describe})` };
    }
    if (this.cfg.expectBody && !this.cfg.expectBody.test(res.body ?? '')) {
      return { up: false, reason: `${u.text}: HTTP ${res.status} but body does not match /${this.cfg.expectBody.source}/` };
    }
    return { up: true, reason: `${u.text}: HTTP ${res.status}` };
  }
}
