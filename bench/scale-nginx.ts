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
export async function startNginx(bin: string, dir: string, count: number, port: number): Promise<ChildProcess> {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const listens = Array.from({ length: count }, (_, i) => `    listen ${addressOf(i)}:${port} backlog=512;`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
master_process off;
daemon off;
worker_rlimit_nofile 19000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 18000; }
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
  for (let i = 0; i < 600; i++) {
    if (await reachable(addressOf(count - 1), port)) return child;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start on ${count} addresses (see ${dir}/error.log)`);
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
