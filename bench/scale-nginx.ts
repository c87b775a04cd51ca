// nginx for the scale benchmark (issue 13): one process (no master, so one SIGKILL closes every
// listener at once: "all backends killed"), one loopback address per realserver on one port, and
// wrk against it as the ceiling. Only 127.0.0.0/8.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const FIRST_NET = 46;
const PER_BLOCK = 250;

/** Realserver i's address: 127.46.(i / 250).(i % 250 + 1). */
export function addressOf(i: number): string {
  return `127.${FIRST_NET}.${Math.floor(i / PER_BLOCK)}.${(i % PER_BLOCK) + 1}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Starts nginx listening on the first `count` addresses; resolves once the last one answers. */
export function startNginx(bin: string, dir: string, count: number, port: number): Promise<ChildProcess> {
  const addresses = Array.from({ length: count }, (_, i) => addressOf(i));
  return startNginxOn(bin, dir, addresses, port, { backlog: 512, connections: 18000, singleProcess: true });
}

export interface NginxOptions {
  backlog: number;
  connections: number;
  /** No master process: one SIGKILL closes every listener at once. */
  singleProcess: boolean;
}

/** nginx answering `200 ok` on `addresses` (loopback only) at `port`; resolves once the last one answers. */
export async function startNginxOn(bin: string, dir: string, addresses: string[], port: number, o: NginxOptions): Promise<ChildProcess> {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const listens = addresses.map((a) => `    listen ${a}:${port} backlog=${o.backlog};`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
${o.singleProcess ? 'master_process off;\n' : ''}daemon off;
worker_rlimit_nofile ${o.connections + 1000};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections ${o.connections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
${listens}
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`);
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'inherit' });
  const last = addresses[addresses.length - 1]!;
  for (let i = 0; i < 600; i++) {
    if (await reachable(last, port)) return child;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start on ${addresses.length} addresses (see ${dir}/error.log)`);
}

export async function stopNginx(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await gone;
}

/** wrk's rate with a new connection per request (as each health check makes), 32 in flight, 5 s. */
export function wrkRate(bin: string, port: number): number {
  const r = spawnSync(bin, ['-t1', '-c32', '-d5s', '-H', 'Connection: close', `http://${addressOf(0)}:${port}/`], { encoding: 'utf8' });
  const m = /Requests\/sec:\s*([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk gave no rate:\n${r.stdout}\n${r.stderr}`);
  return Number(m[1]);
}

export interface ScaleConfig {
  /** Section name, also the health URL's host (`http://NAME.example.org/healthz`, never resolved: ProxyFetch sends it as the Host header). */
  name: string;
  apiPort: number;
  /** The realservers' port (nginx's). */
  port: number;
  /** The pool source: `file://...` or `etcd3://...`. */
  pool: string;
  intervalS: number;
  timeoutS: number;
}

/** The one vipd config the scale benches and the scale test run: dry-run friendly, no BGP, one ProxyFetch service. */
export function scaleConfigText(c: ScaleConfig): string {
  return `[global]
bgp = no
bgp-nexthop-ipv4 = 127.0.0.1
instrumentation = yes
instrumentation_port = ${c.apiPort}
instrumentation_ips = [ "127.0.0.1" ]

[${c.name}]
protocol = tcp
ip = 10.2.46.1
port = ${c.port}
scheduler = wrr
config = ${c.pool}
depool-threshold = .5
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://${c.name}.example.org/healthz' ]
proxyfetch.interval = ${c.intervalS}
proxyfetch.timeout = ${c.timeoutS}
`;
}
