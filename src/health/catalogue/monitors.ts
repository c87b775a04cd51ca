/**
 * THE monitor catalogue: every monitor vipd runs and every option it takes, with PyBal's names,
 * spelling and defaults (PYBAL.md §3). pybal.conf (src/config), `vipd probe` and the monitors
 * themselves (src/health/monitors) read it; docs/config.md's monitor table is checked against it.
 * Adding a monitor: an entry here, its file in ../monitors/ and its line in ../registry.ts (the
 * compiler asks for that line).
 */
import { absolutePathError, dnsNameError, envEntryError, httpUrlError, regexError } from './checks.js';
import type { MonitorSpec, NumberSpec } from './types.js';

/** interval, timeout, rise, fall: every monitor has them, each with its own defaults. */
function schedule(interval: number, timeout: number, pybal: boolean, o: { timeoutMin?: number; timeoutDoc?: string; intervalDoc?: string } = {}) {
  return {
    interval: { kind: 'seconds', default: interval, min: 0.01, pybal, doc: o.intervalDoc ?? 'seconds between checks', example: '2.5' },
    timeout: { kind: 'seconds', default: timeout, min: o.timeoutMin ?? 0.001, pybal, doc: o.timeoutDoc ?? 'seconds a whole check may take', example: '1.5' },
    rise: { kind: 'integer', default: 1, min: 1, max: 1000, pybal: false, doc: 'consecutive good results before the monitor counts up (1 = PyBal)', example: '2' },
    fall: { kind: 'integer', default: 1, min: 1, max: 1000, pybal: false, doc: 'consecutive bad results before the monitor counts down (1 = PyBal)', example: '3' },
  } as const satisfies Record<string, NumberSpec>;
}

/** A request/answer check's schedule, whose timeout may be `auto` (issue 16 §5; docs/config.md "Learned timeouts"). */
function learningSchedule(interval: number, timeout: number, pybal: boolean) {
  const s = schedule(interval, timeout, pybal);
  return {
    ...s,
    timeout: { ...s.timeout, kind: 'timeout', doc: 'seconds a whole check may take; `auto` (vipd): learned per server from its recent answers, at most `timeout-max`' },
    'timeout-max': { kind: 'seconds', default: timeout, min: 0.001, pybal: false, example: '0.5',
      doc: 'with `timeout = auto`: the ceiling, the deadline until 20 answers are known (ignored otherwise)' },
  } as const satisfies Record<string, NumberSpec>;
}

export const CATALOGUE = {
  ProxyFetch: {
    doc: "HTTP(S) GET from the server's address and service port; up on the expected status (and body). Each check is its own connection (`Connection: close`) and the server closes it; a plain-HTTP status-only check answers the server's FIN with a reset, so checks leave no TIME_WAIT on the server",
    pybal: true,
    options: {
      url: { kind: 'strings', required: true, pybal: true, check: httpUrlError, example: "[ 'http://en.wikipedia.org/wiki/Main_Page' ]",
        doc: 'URL, or list of URLs, to fetch; the Host header comes from the URL, the connection goes to the server' },
      ...learningSchedule(10, 5, true),
      http_status: { kind: 'statuses', default: ['200'], pybal: true, example: "[ 200, '204-206' ]",
        doc: 'statuses that count as up: `200` (200-202, as PyBal), `301`/`302`/`303` (the three redirects), any other code, a list (`[ 200, 204 ]`, `200,204`) or ranges (`200-299`)' },
      check_all: { kind: 'bool', default: false, pybal: true, example: 'yes', doc: 'fetch every URL each round instead of one at random' },
      max_failures: { kind: 'integer', default: 0, min: 0, pybal: true, example: '1', doc: 'with check_all: failing URLs tolerated per round' },
      'expect-body': { kind: 'string', pybal: false, check: regexError, example: 'service=healthy', defaultDoc: 'none',
        doc: 'regular expression the body (first 64 KiB) must match' },
      'verify-tls': { kind: 'bool', default: false, pybal: false, example: 'yes', doc: 'verify https certificates (PyBal never did)' },
    },
  },
  IdleConnection: {
    doc: 'keeps one idle TCP connection to the server; down when it fails or is reset',
    pybal: true,
    options: {
      'timeout-clean-reconnect': { kind: 'seconds', default: 3, min: 0.001, pybal: true, example: '2', doc: 'connect timeout of the reconnect after a clean close' },
      'max-delay': { kind: 'seconds', default: 300, min: 0.001, pybal: true, example: '60', doc: 'longest reconnect backoff' },
      keepalive: { kind: 'bool', default: true, pybal: true, example: 'no', doc: 'TCP keepalive on the connection' },
      'keepalive-idle': { kind: 'integer', default: 10, min: 1, pybal: true, example: '5', doc: 'TCP_KEEPIDLE, seconds' },
      'keepalive-interval': { kind: 'integer', default: 30, min: 1, pybal: true, example: '10', doc: 'TCP_KEEPINTVL, seconds' },
      'keepalive-retries': { kind: 'integer', default: 3, min: 1, pybal: true, example: '5', doc: 'TCP_KEEPCNT' },
      ...schedule(1, 5, false, { intervalDoc: 'seconds between reads of the connection state', timeoutDoc: 'connect timeout' }),
    },
  },
  RunCommand: {
    doc: 'runs a command per check (no shell, empty environment, own cgroup); exit 0 is up',
    pybal: true,
    options: {
      command: { kind: 'string', required: true, pybal: true, check: absolutePathError, example: '/bin/true', doc: 'absolute path of the command' },
      arguments: { kind: 'args', default: [], pybal: true, example: "[ '--host', server.host, '--port', server.port ]",
        doc: 'list of arguments; may use `server.host`, `server.ip`, `server.port`, `server.weight`; none: run with no arguments' },
      ...schedule(60, 20, true, { timeoutMin: 0, timeoutDoc: 'seconds the command may run; 0 = none (vipd: bounded by the interval)' }),
      'log-output': { kind: 'bool', default: true, pybal: true, example: 'no', doc: 'log stdout and stderr at debug level' },
      env: { kind: 'strings', pybal: false, check: envEntryError, example: "[ 'MODE=strict' ]", defaultDoc: 'empty', doc: 'the environment, `NAME=VALUE` entries' },
      'max-output-bytes': { kind: 'integer', default: 65536, min: 0, pybal: false, example: '4096', doc: 'bytes of stdout and of stderr kept; the rest is discarded' },
    },
  },
  DNSQuery: {
    doc: 'asks the server for the A or AAAA record of a random hostname; any answer is up',
    pybal: true,
    options: {
      hostnames: { kind: 'strings', required: true, pybal: true, check: dnsNameError, example: "[ 'en.wikipedia.org', 'www.wikidata.org' ]", doc: 'name, or list of names, to ask for' },
      ...learningSchedule(10, 5, true),
      'fail-on-nxdomain': { kind: 'bool', default: false, pybal: true, example: 'yes', doc: 'NXDOMAIN counts as down' },
      port: { kind: 'integer', default: 53, min: 1, max: 65535, pybal: false, example: '5353', doc: 'port the query goes to (PyBal: always 53)' },
    },
  },
  UDP: {
    doc: "sends an empty datagram each interval; down on an ICMP port-unreachable until `icmp-timeout` passes without one",
    pybal: true,
    options: {
      ...schedule(10, 5, true),
      timeout: schedule(10, 5, false).timeout, // PyBal's UDP has no timeout
      'icmp-timeout': { kind: 'seconds', default: 20, min: 0, pybal: true, example: '10', doc: 'seconds without ICMP errors before the server is up again' },
      wait: { kind: 'seconds', default: 0.2, min: 0, pybal: false, example: '0.1', doc: 'seconds a check waits for an ICMP error after sending' },
    },
  },
  TCP: {
    doc: 'up when a TCP connection to the server is established within the timeout',
    pybal: false,
    options: {
      ...learningSchedule(10, 5, false),
      'via-vip': { kind: 'bool', default: false, pybal: false, example: 'yes',
        doc: "send the SYN to the service's VIP through the data path (direct routing: to the server's MAC; IPIP: tunnelled to the server), so a server without the VIP is down; IPv4, needs CAP_NET_RAW (docs/health-datapath.md)" },
    },
  },
  TLS: {
    doc: 'up when a TLS handshake with the server completes (and verifies, with `verify`)',
    pybal: false,
    options: {
      ...learningSchedule(10, 5, false),
      servername: { kind: 'string', pybal: false, example: 'www.example.org', defaultDoc: "the server's host", doc: 'SNI and verification name' },
      verify: { kind: 'bool', default: false, pybal: false, example: 'yes', doc: 'verify the certificate chain and name' },
      'expiry-warn-days': { kind: 'number', default: 0, min: 0, pybal: false, example: '30', doc: 'warn (still up) when the certificate expires within this many days; 0 = never' },
    },
  },
} as const satisfies Record<string, MonitorSpec>;

export type Catalogue = typeof CATALOGUE;
export type MonitorKind = keyof Catalogue;
