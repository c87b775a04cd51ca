/** Test helper: codec values to and from JSON, bytes as `{ "hex": "..." }` (used by the codec's fixtures). */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A plain JSON value: Uint8Array becomes `{hex}`, undefined fields are dropped, lazy fields are read. */
export function toJson(v: unknown): Json {
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  return v as Json;
}

/** The inverse: every `{hex}` object becomes a Uint8Array. */
export function fromJson<T>(v: Json): T {
  return revive(v) as T;
}

function revive(v: Json): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'hex' && typeof v.hex === 'string') return new Uint8Array(Buffer.from(v.hex, 'hex'));
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = revive(v[k]!);
    return out;
  }
  return v;
}
