// A real etcd for the pool-source tests: one member on loopback, ephemeral ports, a temp data dir.
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

/** `host`: the address it listens on (clients and peers), 127.0.0.1 unless a lab LAN needs another. */
export async function startEtcd(bin: string, dir: string, tls?: EtcdTls, host = '127.0.0.1'): Promise<TestEtcd> {
  const [client, peer] = [await freePort(host), await freePort(host)];
  const scheme = tls ? 'https' : 'http';
  const clientUrl = `${scheme}://${host}:${client}`;
  const peerUrl = `http://${host}:${peer}`;
  const args = [
    '--name', 'vipd-test', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `vipd-test=${peerUrl}`, '--logger', 'zap', '--log-level', 'warn',
    ...(tls ? ['--cert-file', tls.cert, '--key-file', tls.key] : []),
  ];
  const logFile = join(dir, 'etcd.log');
  let daemon: Daemon | null = null;
  const call = async (path: string, body: object): Promise<void> => {
    const { request } = await import('node:' + scheme) as typeof import('node:https');
    await new Promise<void>((resolve, reject) => {
      const req = request(`${clientUrl}${path}`, { method: 'POST', ...(tls ? { ca: readCa(tls.ca) } : {}), timeout: 3000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`etcd ${path}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: timeout`)));
      req.end(JSON.stringify(body));
    });
  };
  const etcd: TestEtcd = {
    hostPort: `${host}:${client}`,
    put: (key, value) => call('/v3/kv/put', { key: b64(key), value: b64(value) }),
    del: (key) => call('/v3/kv/deleterange', { key: b64(key) }),
    async stop() { await daemon?.stop(); daemon = null; },
    async start() {
      daemon = startDaemon(bin, args, logFile);
      try {
        await waitFor('etcd to answer', 15_000, async () => {
          if (daemon!.exited()) throw new Error(`etcd exited: ${readLog(logFile).slice(-800)}`);
          await call('/v3/kv/range', { key: b64('probe') });
          return true;
        }, 100);
      } catch (e) {
        await etcd.stop();
        throw e;
      }
      await sleep(10);
    },
  };
  await etcd.start();
  return etcd;
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
