// The etcd v2 pool's parsing (etcd:// over TLS, PyBal's): the bytes as a recursive read's body,
// as a long-poll answer, as a conftool value, and as an etcd:// URL.
import { parseEtcdV2Url } from '../../../src/config/etcd-url.js';
import { conftoolEntry } from '../../../src/pools/conftool.js';
import { parseV2Read, parseV2Watch } from '../../../src/pools/etcd2-parse.js';
import { bytesOf, savedCrashers, text, tokens, type FuzzTarget } from '../target.js';
import { LITERAL_TOKENS } from './config.js';

const DIR = '/conftool/v1/pools/eqiad/text/varnish-fe';
const V = '{\\"pooled\\": \\"yes\\", \\"weight\\": 10}';

export const etcd2: FuzzTarget = {
  name: 'etcd2',
  description: 'the etcd v2 pool: a read body, a watch answer, a conftool value and an etcd:// URL through the pure parsers',
  corpus: () => [
    bytesOf(`{"action":"get","node":{"key":"${DIR}","dir":true,"nodes":[{"key":"${DIR}/cp1","value":"${V}","modifiedIndex":4}]}}`),
    bytesOf(`{"action":"set","node":{"key":"${DIR}/cp1","value":"${V}","modifiedIndex":9},"prevNode":{"key":"${DIR}/cp1","value":"{}"}}`),
    bytesOf(`{"action":"expire","node":{"key":"${DIR}/cp2","modifiedIndex":10}}`),
    bytesOf('{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [1008/4]","index":2007}'),
    bytesOf('{"errorCode":100,"message":"Key not found","cause":"/x","index":3}'),
    bytesOf('{"pooled": "inactive", "weight": 10}'),
    bytesOf(`etcd://u:p@conf1001.eqiad.wmnet:2379,[::1]:4001${DIR}/`),
    bytesOf(`etcd://_etcd-client-ssl._tcp.eqiad.wmnet${DIR}`),
    ...savedCrashers('etcd2'),
  ],
  dictionary: tokens([...LITERAL_TOKENS, '"action"', '"node"', '"nodes"', '"dir"', '"key"', '"value"', '"modifiedIndex"', '"errorCode"', '"set"', '"delete"', '"expire"', '"pooled"', '"weight"', '"yes"', '"inactive"', 'etcd://', '_etcd-client-ssl._tcp.', DIR, '401', '100']),
  maxLength: 64 * 1024,
  run(input) {
    const t = text(input);
    let url: string;
    try { url = JSON.stringify(parseEtcdV2Url(t)); } catch (e) { url = (e as Error).message; }
    return {
      read: parseV2Read(DIR, 200, t, '12'),
      missing: parseV2Read(DIR, 404, t, undefined),
      watch: parseV2Watch(DIR, 200, t),
      error: parseV2Watch(DIR, 400, t),
      value: conftoolEntry('cp1', t),
      url,
    };
  },
};
