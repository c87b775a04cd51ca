// The pool parsers: file pools (PyBal's one-dict-per-line and JSON) and the HTTP pool body,
// each through SourceState.applyParsed as the sources use them (src/pools).
import { silentLogger } from '../../../src/log/logger.js';
import { parsePool } from '../../../src/pools/parse.js';
import { SourceState } from '../../../src/pools/source-state.js';
import { filesIn, savedCrashers, text, tokens, type FuzzTarget } from '../target.js';
import { LITERAL_TOKENS } from './config.js';

const POOL_TOKENS = [
  ...LITERAL_TOKENS, "{ 'host': 'mw1200', 'weight': 10, 'enabled': True }\n", '{"mw1": {"enabled": true, "weight": 10}}',
  "'host'", "'weight'", "'enabled'", "'port'", '"host"', '"weight"', '"enabled"', '"port"', 'true', 'false', 'null', '1.5', '1e3',
];

function corpus(target: string): () => Uint8Array[] {
  return () => [...filesIn(['test/fixtures/pools', 'conf/pools', 'conf/demo'], (n) => n.endsWith('.pools') || n.endsWith('.json') || !n.includes('.')), ...savedCrashers(target)];
}

/**
 * Parses and applies, then applies an empty list over it (the keep-the-last-list path). The output
 * judged is what leaves a source (alerts, the list): the parse result's per-line errors are
 * bounded by the line limit, the alerts quoting them must not grow with them.
 */
function apply(body: string, name: string, format: 'legacy' | 'json'): unknown {
  const state = new SourceState(name, silentLogger);
  const alerts: string[] = [];
  state.bind(() => {}, (m) => alerts.push(m));
  const r = parsePool(body, name, format);
  state.applyParsed(r);
  state.applyParsed({ servers: [], errors: [], warnings: [], fatal: false });
  return { errors: r.errors.length, warnings: r.warnings.length, alerts, last: state.last() };
}

export const poolFile: FuzzTarget = {
  name: 'pool-file',
  description: 'parsePool of a file pool, both formats, then SourceState.applyParsed (src/pools/parse.ts)',
  corpus: corpus('pool-file'),
  dictionary: tokens(POOL_TOKENS),
  maxLength: 64 * 1024,
  run: (input) => {
    const t = text(input);
    return [apply(t, '/etc/vipd/pools/web.pools', 'legacy'), apply(t, '/etc/vipd/pools/web.json', 'json')];
  },
};

/** The HTTP source picks the format from the path or the content type, then parses the body. */
export const httpPoolBody: FuzzTarget = {
  name: 'http-pool-body',
  description: 'an HTTP pool body as HttpSource treats it: format from path or content type, parsePool, applyParsed',
  corpus: corpus('http-pool-body'),
  dictionary: tokens(POOL_TOKENS),
  maxLength: 64 * 1024,
  run: (input) => {
    const t = text(input);
    return [apply(t, 'http://127.0.0.1:8080/pools/web', 'legacy'), apply(t, 'http://127.0.0.1:8080/pools/web?format=json', 'json')];
  },
};
