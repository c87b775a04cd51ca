import { Parser } from 'binary-parser/dist/binary_parser.js';

/** A fixed-size record read with binary-parser; `read` returns null when the bytes are too short. */
export interface Layout<T> {
  readonly size: number;
  read(bytes: Uint8Array, offset: number): T | null;
}

export function layout<T>(size: number, parser: Parser): Layout<T> {
  return {
    size,
    read(bytes, offset) {
      if (offset < 0 || offset + size > bytes.length) return null;
      return parser.parse(bytes.subarray(offset, offset + size)) as T;
    },
  };
}
