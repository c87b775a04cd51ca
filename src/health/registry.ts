import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { CommandRunner } from '../process/command-runner.js';
import { commandRunner } from '../process/command-runner.js';
import { err, ok, type Monitor, type Result } from './monitor.js';
import { isMonitorKind, MONITOR_KINDS, OptionError, type MonitorKind } from './catalogue/index.js';
import type { MonitorOptions } from './options.js';
import { DnsQueryMonitor, parseDnsQuery } from './monitors/dns-query.js';
import { IdleConnectionMonitor, parseIdleConnection } from './monitors/idle-connection.js';
import { parseProxyFetch, ProxyFetchMonitor } from './monitors/proxy-fetch.js';
import { parseRunCommand, RunCommandMonitor } from './monitors/run-command.js';
import { parseTcp, TcpMonitor } from './monitors/tcp.js';
import { dataPathFor, type ServiceRoute } from './datapath/probe.js';
import { parseTls, TlsMonitor } from './monitors/tls.js';
import { parseUdp, UdpMonitor } from './monitors/udp.js';

export { isMonitorKind, MONITOR_KINDS, type MonitorKind };

/** What some monitors need from outside; every field has a real default. */
export interface MonitorDeps {
  runner?: CommandRunner;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** The service being checked: its VIP and forwarding method, for checks through the data path. */
  service?: ServiceRoute;
}

type Factory = (o: MonitorOptions, d: MonitorDeps) => Monitor;

/** One line per catalogue entry (./catalogue/monitors.ts); the type makes a missing one a compile error. */
const FACTORIES: Record<MonitorKind, Factory> = {
  ProxyFetch: (o, d) => new ProxyFetchMonitor(parseProxyFetch(o), d.random),
  IdleConnection: (o, d) => new IdleConnectionMonitor(parseIdleConnection(o), d.clock, d.random),
  RunCommand: (o, d) => new RunCommandMonitor(parseRunCommand(o), d.runner ?? commandRunner, d.logger),
  DNSQuery: (o, d) => new DnsQueryMonitor(parseDnsQuery(o), d.random),
  UDP: (o) => new UdpMonitor(parseUdp(o)),
  TCP: (o, d) => { const p = parseTcp(o); return new TcpMonitor(p.schedule, p.viaVip ? dataPathFor('tcp.via-vip', d.service) : null); },
  TLS: (o, d) => new TlsMonitor(parseTls(o), d.clock ? () => d.clock!.wallNow() : undefined),
};

/**
 * Builds a monitor from PyBal's name and its options (keys without the `<monitor>.` prefix);
 * the error names the bad key, e.g. `proxyfetch.timeout: must be a number or auto, got 'abc'`.
 */
export function createMonitor(kind: string, options: MonitorOptions, deps: MonitorDeps = {}): Result<Monitor, string> {
  if (!isMonitorKind(kind)) return err(`unknown monitor '${kind}' (known: ${MONITOR_KINDS.join(', ')})`);
  try {
    return ok(FACTORIES[kind](options, deps));
  } catch (e) {
    if (e instanceof OptionError) return err(e.message);
    throw e;
  }
}
