import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

/** Per process: fingerprints compare across reloads but say nothing about the secret. */
const SALT = randomBytes(16);

/**
 * A secret from the config (the TCP-MD5 password). It never prints: String(), util.inspect and
 * JSON give '(set)' and a salted fingerprint, so a dump of the config, a log line or /bgp cannot
 * carry it; only `bytes()` hands it to the socket code.
 */
export class Secret {
  readonly #value: Buffer;
  /** HMAC-SHA256 under a per-process random key: equal secrets compare equal within one process (reload). */
  readonly fingerprint: string;

  constructor(value: Uint8Array, readonly file: string | null) {
    this.#value = Buffer.from(value);
    this.fingerprint = createHmac('sha256', SALT).update(this.#value).digest('hex').slice(0, 16);
  }

  /** A copy of the secret's bytes. */
  bytes(): Buffer { return Buffer.from(this.#value); }

  get length(): number { return this.#value.length; }
  toString(): string { return '(set)'; }
  toJSON(): string { return `(set ${this.fingerprint})`; }
  [inspect.custom](): string { return `Secret(set${this.file ? `, from ${this.file}` : ''})`; }
}
