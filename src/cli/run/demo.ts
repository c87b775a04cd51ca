/**
 * `vipd run --demo`: copies the shipped demo config (conf/demo) to a temporary folder and starts
 * the loopback HTTP backends it names, so a newcomer sees checks, IPVS and VIP decisions at once.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log/logger.js';

export interface Demo {
  configPath: string;
  dir: string;
  backends: string[];
  stop(): Promise<void>;
}

const PLACEHOLDER = '/var/lib/vipd-demo';
export const DEMO_BACKENDS = [
  { ip: '127.0.0.11', status: 200 },
  { ip: '127.0.0.12', status: 200 },
  { ip: '127.0.0.13', status: 503 },
];
export const DEMO_PORT = 18080;

/** conf/demo of the first folder above this file that has one: next to dist/ (installed package), src/ or build/test/src/ (tests). */
export function demoSourceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'conf', 'demo'))) return join(dir, 'conf', 'demo');
    dir = dirname(dir);
  }
  return join(here, '..', '..', '..', 'conf', 'demo');
}

function backend(ip: string, status: number): Promise<Server> {
  const server = createServer((req, res) => {
    const body = status === 200 ? `ok from ${ip}\n` : `demo backend ${ip} is unhealthy on purpose\n`;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`demo backend ${ip}:${DEMO_PORT}: ${e.message}`)));
    server.listen(DEMO_PORT, ip, () => resolve(server));
  });
}

export async function startDemo(log: Logger, src = demoSourceDir()): Promise<Demo> {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-demo-'));
  const servers: Server[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const f of ['vipd-demo.conf', 'web.pools.json']) {
      const text = await readFile(join(src, f), 'utf8');
      await writeFile(join(dir, f), text.split(PLACEHOLDER).join(dir));
    }
    for (const b of DEMO_BACKENDS) servers.push(await backend(b.ip, b.status));
  } catch (e) {
    await stop();
    throw e;
  }
  log.info(`demo backends on ${DEMO_BACKENDS.map((b) => `${b.ip}:${DEMO_PORT} (HTTP ${b.status})`).join(', ')}`);
  log.info(`demo config in ${dir}; edit ${join(dir, 'web.pools.json')} to change the pool`);
  return { configPath: join(dir, 'vipd-demo.conf'), dir, backends: DEMO_BACKENDS.map((b) => b.ip), stop };
}
