/**
 * `etcd://[user:password@]host[:port][,host[:port]...]/key/path/` (PyBal's etcd v2 over TLS,
 * PYBAL.md §2.3, with several endpoints), or `etcd://_etcd-client-ssl._tcp.DOMAIN/key/path/`: the
 * endpoints from DNS SRV, as conftool finds etcd. Parsed by hand: WHATWG URL refuses a comma list.
 */
export interface EtcdV2Target {
  /** Fixed endpoints; empty when `srv` is set. */
  endpoints: Array<{ host: string; port: number }>;
  /** The SRV name to resolve (`_etcd-client-ssl._tcp.DOMAIN`), or null. */
  srv: string | null;
  /** The directory, `/a/b` (leading slash, no trailing one). */
  dir: string;
  credentials?: { user: string; password: string };
}

export const ETCD_DEFAULT_PORT = 2379;

/** Throws an Error whose message says what is wrong (without the URL: the caller names it). */
export function parseEtcdV2Url(url: string): EtcdV2Target {
  const m = /^etcd:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url.trim());
  if (!m) throw new Error('an etcd URL is etcd://host[:port][,host[:port]...]/key/path/ (no query or fragment)');
  let authority = m[1]!;
  const dir = decodeURIComponent(m[2] ?? '').replace(/\/+$/, '');
  if (dir === '') throw new Error('an etcd URL needs a key directory (etcd://host:2379/conftool/v1/pools/...)');
  let credentials: EtcdV2Target['credentials'];
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    const info = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = info.indexOf(':');
    const user = decodeURIComponent(colon === -1 ? info : info.slice(0, colon));
    const password = colon === -1 ? '' : decodeURIComponent(info.slice(colon + 1));
    if (!user || !password) throw new Error('etcd credentials need both a user and a password (etcd://user:password@host:2379/path)');
    credentials = { user, password };
  }
  if (authority === '') throw new Error('an etcd URL needs a host (etcd://host:2379/path)');
  const base = { dir, ...(credentials ? { credentials } : {}) };
  if (authority.startsWith('_')) {
    if (!/^_[a-z0-9-]+\._tcp\.[a-z0-9.-]+$/i.test(authority)) throw new Error(`an SRV name is _etcd-client-ssl._tcp.DOMAIN, with no port or other hosts, got '${authority}'`);
    return { endpoints: [], srv: authority.toLowerCase(), ...base };
  }
  const endpoints = authority.split(',').map((part) => endpoint(part.trim()));
  return { endpoints, srv: null, ...base };
}

function endpoint(part: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(part);
  if (!m) throw new Error(`bad etcd endpoint '${part}' (host, host:port or [v6]:port)`);
  const port = m[3] === undefined ? ETCD_DEFAULT_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`bad etcd endpoint port in '${part}'`);
  return { host: m[1] ?? m[2]!, port };
}
