// A parsed Python literal (python-literal.ts parses them) and its repr, for printing and messages.

export type RefName = 'host' | 'ip' | 'port' | 'weight';

export type PyValue =
  | { kind: 'str'; value: string; at: number }
  | { kind: 'int'; value: number; at: number }
  | { kind: 'float'; value: number; at: number }
  | { kind: 'bool'; value: boolean; at: number }
  | { kind: 'none'; at: number }
  | { kind: 'list'; items: PyValue[]; at: number }
  | { kind: 'tuple'; items: PyValue[]; at: number }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]>; at: number }
  | { kind: 'ref'; name: RefName; at: number };

/** Python's repr-like text of a value, for canonical printing and messages. */
export function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'str': return `'${v.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
    case 'int': return String(v.value);
    case 'float': return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case 'bool': return v.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'ref': return `server.${v.name}`;
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'dict': return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
}
