// The config parser: pybal.conf text → INI sections → Python literals → schema → a config or
// file:line errors (parseConfig, src/config/schema.ts).
import { parseConfig } from '../../../src/config/index.js';
import { GLOBAL_KEYS } from '../../../src/config/global.js';
import { SERVICE_KEYS } from '../../../src/config/service.js';
import { MONITOR_KEYS } from '../../../src/config/monitors.js';
import { bytesOf, filesIn, savedCrashers, text, tokens, type FuzzTarget } from '../target.js';

/** Python-literal and INI syntax, values the schema checks, and every key it knows. */
export const LITERAL_TOKENS = [
  '[', ']', '{', '}', '(', ')', ',', ':', '=', "'", '"', '\\', '\\x', '\\u00e9', '\\N{', '\n', '\r\n', '\t', ' ', '#', ';',
  'True', 'False', 'None', '0x', '0o', '0b', '-', '1e999', '1_000', '65535', '65536', '-1', '0', '4294967296', '99999999999999999999',
  "'''", '"""', 'u\'', 'b\'', 'r\'', '%(', ')s', '${', '\u0000', '\u00ff', '\ud800', '::', '127.0.0.1', '10.2.1.1', '2001:db8::1', '0.0.0.0/0',
];

/** Each section of a file on its own (after the file's first section, [global]): small inputs run faster. */
function sections(file: Uint8Array): Uint8Array[] {
  const parts = text(file).split(/\n(?=\[)/);
  return parts.slice(1).map((p) => bytesOf(`${parts[0]!}\n${p}`));
}

export const config: FuzzTarget = {
  name: 'config',
  description: 'parseConfig: INI + Python literals + schema (src/config)',
  corpus: () => {
    const files = filesIn(['test/fixtures/config', 'conf', 'conf/demo'], (n) => n.endsWith('.conf'));
    return [...files, ...files.flatMap(sections), ...savedCrashers('config')];
  },
  dictionary: tokens([
    ...LITERAL_TOKENS, '[global]', '[bgp-peer 127.0.0.1]', '[web]', 'bgp = yes', 'bgp = no', 'monitors = ["ProxyFetch", "IdleConnection"]',
    'ProxyFetch', 'IdleConnection', 'RunCommand', 'DNSQuery', 'UDP', 'yes', 'no', 'on', 'off',
    ...GLOBAL_KEYS, ...SERVICE_KEYS, ...MONITOR_KEYS,
  ]),
  maxLength: 64 * 1024,
  run: (input) => parseConfig(text(input), 'fuzz.conf'),
};
