export type { PoolServer, PoolSource, OnUpdate, OnAlert, OnRecover, PoolParseResult } from './types.js';
export { createPoolSource, type PoolSourceOptions } from './create.js';
export { parsePool, parseLegacyPool, parseJsonPool, formatOf, type PoolFormat } from './parse.js';
export { FileSource } from './file-source.js';
export { HttpSource } from './http-source.js';
export { EtcdSource } from './etcd-source.js';
