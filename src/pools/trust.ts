import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** Where Debian (and RHEL) keep the system trust store, unless SSL_CERT_FILE names another. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

function readFirst(paths: readonly string[]): string | null {
  for (const p of paths) {
    try { return readFileSync(p, 'utf8'); } catch { /* next */ }
  }
  return null;
}

let cached: string[] | null = null;

/**
 * The CAs every TLS pool source trusts: Node's bundled roots, the system store (a local CA added
 * with update-ca-certificates is trusted) and NODE_EXTRA_CA_CERTS, which Node would drop as soon as
 * an explicit `ca` is given. Read once.
 */
export function baseTrust(): string[] {
  if (cached) return cached;
  const out = [...rootCertificates];
  const system = readFirst([...(process.env.SSL_CERT_FILE ? [process.env.SSL_CERT_FILE] : []), ...SYSTEM_BUNDLES]);
  if (system) out.push(system);
  const extra = process.env.NODE_EXTRA_CA_CERTS ? readFirst([process.env.NODE_EXTRA_CA_CERTS]) : null;
  if (extra) out.push(extra);
  cached = out;
  return out;
}

/** The trust list plus an explicit CA (PEM), if any. */
export function trustWith(ca?: string | Buffer): string[] {
  return ca ? [...baseTrust(), ca.toString()] : baseTrust();
}

const contexts = new Map<string, { context: SecureContext; agent: Agent }>();

/**
 * One TLS context per (CA, certificate, key): the trust list is parsed once, not on every
 * request of a source that polls each second. At most 64 kept (one per configured source).
 */
export function tlsContext(o: { ca?: string | Buffer | undefined; cert?: string | Buffer | undefined; key?: string | Buffer | undefined }): { context: SecureContext; agent: Agent } {
  const id = `${o.ca?.toString() ?? ''}\0${o.cert?.toString() ?? ''}\0${o.key?.toString() ?? ''}`;
  let c = contexts.get(id);
  if (!c) {
    if (contexts.size >= 64) { for (const old of contexts.values()) old.agent.destroy(); contexts.clear(); }
    // Its own agent: Node's agent pools sockets by name, and the name leaves out secureContext.
    c = { context: createSecureContext({ ca: trustWith(o.ca), ...(o.cert ? { cert: o.cert } : {}), ...(o.key ? { key: o.key } : {}) }), agent: new Agent({ keepAlive: true }) };
    contexts.set(id, c);
  }
  return c;
}
