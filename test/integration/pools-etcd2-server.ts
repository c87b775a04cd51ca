// A real etcd 3.4 serving the v2 API over TLS (--enable-v2), as conftool's etcd; certificates made
// with openssl in the test's directory; a TCP relay to cut connections; admin through the v2 API.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { sh } from '../lab/proc.js';
import { freePort, launchEtcd } from './pools-etcd-server.js';

export interface Etcd2Certs { ca: string; cert: string; key: string; clientCert: string; clientKey: string; otherCa: string; otherCert: string; otherKey: string }

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function ca(dir: string, name: string): Promise<void> {
  await sh('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '1',
    '-subj', `/CN=vipd test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

async function leaf(dir: string, caName: string, name: string, cn: string, ext: string): Promise<void> {
  const p = (f: string) => join(dir, f);
  await sh('openssl', ['req', ...EC, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
  writeFileSync(p(`${name}.cnf`), ext);
  await sh('openssl', ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${caName}.pem`), '-CAkey', p(`${caName}.key`), '-CAcreateserial',
    '-out', p(`${name}.pem`), '-days', '1', '-extfile', p(`${name}.cnf`)]);
}

/** A CA with a server certificate (127.0.0.1, localhost, etcd1/etcd2.example.test) and a client one; a second CA that signs a look-alike. */
export async function makeEtcd2Certs(dir: string): Promise<Etcd2Certs> {
  const server = 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:etcd1.example.test,DNS:etcd2.example.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n';
  await ca(dir, 'ca');
  await ca(dir, 'other-ca');
  await leaf(dir, 'ca', 'server', '127.0.0.1', server);
  await leaf(dir, 'ca', 'client', 'vipd', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  await leaf(dir, 'other-ca', 'other', '127.0.0.1', server);
  const p = (f: string) => join(dir, f);
  return { ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key'),
    otherCa: p('other-ca.pem'), otherCert: p('other.pem'), otherKey: p('other.key') };
}

export interface TestEtcd2 {
  port: number;
  hostPort: string;
  put(key: string, value: string): Promise<void>;
  del(key: string, dir?: boolean): Promise<void>;
  /** A v2 API call as root (after enableAuth) with the test CA; resolves with the status. */
  call(method: string, path: string, body?: string, type?: string): Promise<number>;
  enableAuth(rootPassword: string): Promise<void>;
  /** Serve the look-alike certificate of the other CA (after the next start). */
  useOtherCert(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startEtcd2(bin: string, dir: string, certs: Etcd2Certs, o: { clientCertAuth?: boolean } = {}): Promise<TestEtcd2> {
  const served = { cert: join(dir, 'served.pem'), key: join(dir, 'served.key') };
  copyFileSync(certs.cert, served.cert);
  copyFileSync(certs.key, served.key);
  // The test's own admin channel: it still reaches etcd after useOtherCert(), so it does not verify.
  let agent = new https.Agent();
  const newAgent = () => new https.Agent({
    keepAlive: true, rejectUnauthorized: false,
    ...(o.clientCertAuth ? { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } : {}),
  });
  let auth: string | undefined;
  let base = '';
  const call = (method: string, path: string, body?: string, type = 'application/x-www-form-urlencoded'): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(`${base}${path}`, {
        method, agent, timeout: 5000,
        headers: { 'content-type': type, ...(auth ? { authorization: auth } : {}) },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: timeout`)));
      req.end(body);
    });
  const must = async (what: string, p: Promise<number>, ok: number[] = [200, 201]): Promise<void> => {
    const s = await p;
    if (!ok.includes(s)) throw new Error(`etcd ${what}: HTTP ${s}`);
  };
  const keyPath = (k: string) => `/v2/keys${k.split('/').map(encodeURIComponent).join('/')}`;
  const proc = await launchEtcd(bin, dir, {
    name: 'vipd-v2', tls: served,
    extra: ['--enable-v2', ...(o.clientCertAuth ? ['--client-cert-auth', '--trusted-ca-file', certs.ca] : [])],
    probe: async (url) => { base = url; agent = newAgent(); return (await call('GET', '/v2/keys/')) > 0; },
    onStop: () => agent.destroy(),
  });
  return {
    port: proc.port, hostPort: `${proc.host}:${proc.port}`, call,
    put: (k, v) => must(`put ${k}`, call('PUT', keyPath(k), `value=${encodeURIComponent(v)}`)),
    del: (k, isDir) => must(`delete ${k}`, call('DELETE', `${keyPath(k)}${isDir ? '?recursive=true' : ''}`)),
    async enableAuth(rootPassword) {
      const j = (x: object) => JSON.stringify(x);
      await must('add root', call('PUT', '/v2/auth/users/root', j({ user: 'root', password: rootPassword }), 'application/json'));
      await must('enable auth', call('PUT', '/v2/auth/enable'));
      auth = `Basic ${Buffer.from(`root:${rootPassword}`).toString('base64')}`;
      await must('guest revoke', call('PUT', '/v2/auth/roles/guest', j({ role: 'guest', revoke: { kv: { read: ['/*'], write: ['/*'] } } }), 'application/json'));
    },
    useOtherCert() { copyFileSync(certs.otherCert, served.cert); copyFileSync(certs.otherKey, served.key); },
    stop: () => proc.stop(),
    start: () => proc.start(),
  };
}

/**
 * A TCP relay on loopback to `port`; `cut()` drops every connection and refuses new ones until
 * `mend()`; `hold()` keeps the connections but delivers nothing from etcd until `release()`.
 */
export async function startRelay(port: number): Promise<{ port: number; cut(): void; mend(): void; hold(): void; release(): void; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let open = true;
  const server = net.createServer((c) => {
    if (!open) { c.destroy(); return; }
    const up = net.connect(port, '127.0.0.1');
    socks.add(c); socks.add(up);
    const pair: [net.Socket, net.Socket] = [up, c];
    pairs.add(pair);
    up.on('close', () => pairs.delete(pair));
    c.pipe(up); up.pipe(c);
    const end = () => { c.destroy(); up.destroy(); socks.delete(c); socks.delete(up); };
    c.on('error', end); up.on('error', end); c.on('close', end); up.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() { open = false; for (const s of socks) s.destroy(); socks.clear(); },
    mend() { open = true; },
    hold() { for (const [up, c] of pairs) up.unpipe(c); },
    release() { for (const [up, c] of pairs) up.pipe(c); },
    close: () => { open = false; for (const s of socks) s.destroy(); return new Promise<void>((r) => server.close(() => r())); },
  };
}
