/** A configuration vipd cannot run with; the message lists every problem, one per line. */
export class ConfigError extends Error {}
