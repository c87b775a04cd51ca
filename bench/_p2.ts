import { parsePool } from '../src/pools/index.js';
const n = 40000;
const legacy = Array.from({ length: n }, (_, i) => `{ 'host': 'mw${i}.eqiad.wmnet', 'weight': 10, 'enabled': True }`).join('\n');
const json = JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`mw${i}.example.org`, { enabled: true, weight: 10 }])));
for (let k = 0; k < 5; k++) { parsePool(legacy, 'x'); parsePool(json, 'x.json'); }
