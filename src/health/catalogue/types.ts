/**
 * The shapes of the monitor catalogue: each monitor and option declared once, as data that the
 * monitors, pybal.conf (src/config) and `vipd probe` all read. Pure: no I/O, no imports.
 */

/** An option's value as pybal.conf (parsed), `vipd probe --option` or a test gives it. */
export type OptionValue = string | number | boolean | readonly string[] | readonly number[];
export type MonitorOptions = Readonly<Record<string, OptionValue>>;

/**
 * How an option is written and what it becomes:
 * - `seconds`, `number`, `integer`, `bool`, `string`: a plain INI value (PyBal's getfloat,
 *   getint, getboolean, the raw string);
 * - `strings`: a Python literal (PyBal eval()s it), a str or a list of str → string[];
 * - `args`: a Python literal list of str, numbers and `server.host/ip/port/weight` → string[];
 * - `statuses`: HTTP statuses: `200`, `200,204`, `200-299` or a literal list → ['200', '200-299'].
 */
export type OptionKind = 'seconds' | 'timeout' | 'number' | 'integer' | 'bool' | 'string' | 'strings' | 'args' | 'statuses';

/** What each kind normalises to. */
export interface KindValue {
  seconds: number;
  /** Seconds, or `auto` (vipd: learned per server, adaptive-timeout.ts). */
  timeout: number | 'auto';
  number: number;
  integer: number;
  bool: boolean;
  string: string;
  strings: readonly string[];
  args: readonly string[];
  statuses: readonly string[];
}

interface Common {
  /** One line for docs/config.md. */
  doc: string;
  /** PyBal has this option (false: a vipd addition; pybal.conf leaves it out of the canonical print unless set). */
  pybal: boolean;
  /** A valid value written as pybal.conf writes it (docs, and the test that every option works everywhere). */
  example: string;
  /** required: no default, must be given. */
  required?: boolean;
  /** How docs show the default when there is none to print (e.g. "the server's host"). */
  defaultDoc?: string;
}

export interface NumberSpec extends Common {
  kind: 'seconds' | 'timeout' | 'number' | 'integer';
  default?: number;
  min?: number;
  max?: number;
}

export interface BoolSpec extends Common { kind: 'bool'; default: boolean }

export interface TextSpec extends Common {
  kind: 'string';
  default?: string;
  /** An error message (without the key) or null. */
  check?: (v: string) => string | null;
}

export interface ListSpec extends Common {
  kind: 'strings' | 'args' | 'statuses';
  default?: readonly string[];
  /** Checked for each item; an error message (without the key) or null. */
  check?: (item: string) => string | null;
}

export type OptionSpec = NumberSpec | BoolSpec | TextSpec | ListSpec;

export interface MonitorSpec {
  /** What the monitor checks, one line for docs. */
  doc: string;
  /** PyBal has this monitor (false: a vipd addition). */
  pybal: boolean;
  /** In declaration order; pybal.conf spells each `<name lower-cased>.<option>` (PYBAL.md §3). */
  options: Readonly<Record<string, OptionSpec>>;
}

/** The value an option spec yields: undefined only when it has neither a default nor `required`. */
export type ValueOf<S extends OptionSpec> = S extends { required: true } | { default: unknown }
  ? KindValue[S['kind']]
  : KindValue[S['kind']] | undefined;

export type ValuesOf<M extends MonitorSpec> = { [K in keyof M['options']]: ValueOf<M['options'][K]> };
