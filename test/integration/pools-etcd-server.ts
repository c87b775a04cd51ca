// A real etcd for the etcd tests (v3 here, v2 in pools-etcd2-server.ts): one member on loopback,
// ephemeral ports (a bind race is retried here), a temp data dir.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { readLog, sh, sleep, startDaemon, waitFor, type Daemon } from '../lab/proc.js';

export interface EtcdTls { cert: string; key: string; ca: string }

export interface TestEtcd {
  /** host:port of the client endpoint. */
  hostPort: string;
  put(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
}

export async function freePort(host: string): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** One etcd member as the tests run it: its client port and URL, stop and start again (same ports and data). */
export interface EtcdProcess { host: string; port: number; clientUrl: string; stop(): Promise<void>; start(): Promise<void> }

export interface LaunchOptions {
  name: string;
  host?: string;
  /** Served certificate and key: the client URL is https://. */
  tls?: { cert: string; key: string };
  /** More flags (--enable-v2, --client-cert-auth ...). */
  extra?: string[];
  /** Resolves once etcd answers (called until it does or 15 s pass). */
  probe(clientUrl: string): Promise<boolean>;
  /** Before each stop (e.g. close the caller's keep-alive agent). */
  onStop?(): void;
}

/** Starts once the ports it picked are really its own: another process may bind a free port first. */
const BIND_ATTEMPTS = 3;

/**
 * The one etcd launcher of the tests (v3 and v2 helpers): one member on loopback, ephemeral ports,
 * a data dir under `dir`. freePort() then bind is a race with every other test: a start that
 * fails with "address already in use" is tried again on new ports (BIND_ATTEMPTS at most), so
 * callers never retry. A later start() reuses the same ports (the clients keep their URL).
 */
export async function launchEtcd(bin: string, dir: string, o: LaunchOptions): Promise<EtcdProcess> {
  const host = o.host ?? '127.0.0.1';
  const scheme = o.tls ? 'https' : 'http';
  const logFile = join(dir, 'etcd.log');
  let daemon: Daemon | null = null;
  let client = 0;
  let peer = 0;
  const args = () => {
    const clientUrl = `${scheme}://${host}:${client}`;
    const peerUrl = `http://${host}:${peer}`;
    return [
      '--name', o.name, '--data-dir', join(dir, 'data'),
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `${o.name}=${peerUrl}`, '--logger', 'zap', '--log-level', 'warn',
      ...(o.tls ? ['--cert-file', o.tls.cert, '--key-file', o.tls.key] : []), ...(o.extra ?? []),
    ];
  };
  const proc: EtcdProcess = {
    host, port: 0, clientUrl: '',
    async stop() { o.onStop?.(); await daemon?.stop(); daemon = null; },
    async start() {
      writeFileSync(logFile, '');
      daemon = startDaemon(bin, args(), logFile);
      try {
        await waitFor('etcd to answer', 15_000, async () => {
          if (daemon!.exited()) throw new Error(`etcd exited: ${readLog(logFile).slice(-800)}`);
          return o.probe(proc.clientUrl).catch(() => false);
        }, 100);
      } catch (e) {
        await proc.stop();
        throw e;
      }
      await sleep(10);
    },
  };
  for (let attempt = 1; ; attempt++) {
    [client, peer] = [await freePort(host), await freePort(host)];
    Object.assign(proc, { port: client, clientUrl: `${scheme}://${host}:${client}` });
    try {
      await proc.start();
      return proc;
    } catch (e) {
      if (attempt >= BIND_ATTEMPTS || !String(e).includes('address already in use')) throw e;
    }
  }
}

/** `host`: the address it listens on (clients and peers), 127.0.0.1 unless a lab LAN needs another. */
export async function startEtcd(bin: string, dir: string, tls?: EtcdTls, host = '127.0.0.1'): Promise<TestEtcd> {
  const scheme = tls ? 'https' : 'http';
  let base = '';
  const call = async (path: string, body: object): Promise<void> => {
    const { request } = await import('node:' + scheme) as typeof import('node:https');
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}${path}`, { method: 'POST', ...(tls ? { ca: readCa(tls.ca) } : {}), timeout: 3000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`etcd ${path}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: timeout`)));
      req.end(JSON.stringify(body));
    });
  };
  const proc = await launchEtcd(bin, dir, {
    name: 'vipd-test', host, ...(tls ? { tls } : {}),
    probe: async (url) => { base = url; await call('/v3/kv/range', { key: b64('probe') }); return true; },
  });
  return {
    hostPort: `${host}:${proc.port}`,
    put: (key, value) => call('/v3/kv/put', { key: b64(key), value: b64(value) }),
    del: (key) => call('/v3/kv/deleterange', { key: b64(key) }),
    stop: () => proc.stop(),
    start: () => proc.start(),
  };
}

/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl. */
export async function makeCerts(dir: string) {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await sh('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=vipd test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await sh('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await sh('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.pem'), '-days', '1', '-extfile', p('ext.cnf')]);
  return { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem') };
}

function readCa(path: string): string {
  return readLog(path);
}
