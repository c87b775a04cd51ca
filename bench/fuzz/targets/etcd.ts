// The etcd pool's parsing: a conftool value ({"pooled": "yes", "weight": 10}) as EtcdSource
// applies it, and the same bytes as a watch stream (JsonSplitter → handleMessage → events).
import { EtcdSource } from '../../../src/pools/etcd-source.js';
import { JsonSplitter, handleMessage, type EtcdEvent, type EtcdKv } from '../../../src/pools/etcd-client.js';
import type { PoolServer } from '../../../src/pools/types.js';
import { systemClock } from '../../../src/time/clock.js';
import { bytesOf, savedCrashers, text, tokens, type FuzzTarget } from '../target.js';
import { LITERAL_TOKENS } from './config.js';

const PREFIX = '/conftool/v1/pools/eqiad/web/';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * EtcdSource keeps its value check private (`put`); the fuzzer reaches it through this narrow
 * view. If it moves or becomes a pure function, point this at the new one.
 */
interface PutView { put(into: Map<string, PoolServer>, kv: EtcdKv): void }

function source(): PutView {
  const s = new EtcdSource(`etcd3://127.0.0.1:2379${PREFIX}`, { clock: systemClock }) as unknown as PutView;
  if (typeof s.put !== 'function') throw new Error('fuzz etcd: EtcdSource.put is gone; update bench/fuzz/targets/etcd.ts');
  return s;
}

function watchMessage(events: Array<{ type?: string; key: string; value?: string }>, revision: number): string {
  return JSON.stringify({ result: { header: { revision: String(revision) }, events: events.map((e) => ({ ...(e.type ? { type: e.type } : {}), kv: { key: b64(e.key), ...(e.value !== undefined ? { value: b64(e.value) } : {}), mod_revision: String(revision) } })) } });
}

const VALUES = ['{"pooled": "yes", "weight": 10}', '{"pooled": "no", "weight": 0}', '{"pooled": "inactive", "weight": 10}', '{"weight": 65535, "pooled": "yes"}', '{"pooled": "yes"}'];

export const etcd: FuzzTarget = {
  name: 'etcd',
  description: 'the etcd pool: a conftool value through EtcdSource, the bytes as a watch stream through JsonSplitter and handleMessage',
  corpus: () => [
    ...VALUES.map(bytesOf),
    bytesOf(watchMessage([{ key: `${PREFIX}mw1`, value: VALUES[0]! }, { key: `${PREFIX}mw2`, value: VALUES[1]! }], 7)),
    bytesOf(watchMessage([{ type: 'DELETE', key: `${PREFIX}mw1` }], 8) + watchMessage([{ key: `${PREFIX}mw3`, value: VALUES[2]! }], 9)),
    bytesOf('{"result":{"header":{"revision":"3"},"created":true}}{"result":{"canceled":true,"cancel_reason":"compacted","compact_revision":"2"}}'),
    bytesOf('{"error":{"grpc_code":14,"message":"etcdserver: no leader"}}'),
    ...savedCrashers('etcd'),
  ],
  dictionary: tokens([...LITERAL_TOKENS, '"pooled"', '"weight"', '"yes"', '"no"', '"inactive"', '"DELETE"', '"PUT"', '"result"', '"events"', '"kv"', '"key"', '"value"', '"created"', '"canceled"', '"compact_revision"', '"error"', 'true', 'false', 'null', b64(PREFIX), b64(`${PREFIX}mw1`)]),
  maxLength: 64 * 1024,
  run(input) {
    const s = source();
    const t = text(input);
    const servers = new Map<string, PoolServer>();
    s.put(servers, { key: `${PREFIX}mw1`, value: t, modRevision: 1 });
    const split = new JsonSplitter();
    const events: EtcdEvent[] = [];
    const errors: string[] = [];
    const half = t.length >> 1;
    for (const chunk of [t.slice(0, half), t.slice(half)]) {
      for (const msg of split.push(chunk)) {
        const e = handleMessage(msg, { onEvents: (evs) => { events.push(...evs); } });
        if (e) errors.push(e.message);
      }
    }
    for (const e of events) if (e.type === 'put') s.put(servers, e.kv);
    return { servers: [...servers.values()], events, errors };
  },
};
