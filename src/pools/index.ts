export type { PoolServer, PoolSource, OnUpdate, OnAlert, OnRecover, PoolParseResult } from './types.js';
export { createPoolSource, etcdTlsFiles, type PoolSourceOptions, type EtcdTlsFiles } from './create.js';
export { parsePool, parsePoolSliced, parseLegacyPool, parseJsonPool, formatOf, type PoolFormat } from './parse.js';
export { FileSource } from './file-source.js';
export { HttpSource } from './http-source.js';
export { EtcdSource } from './etcd-source.js';
export { Etcd2Source } from './etcd2-source.js';
