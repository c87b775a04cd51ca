import type { ConfigIssue } from '../config/issues.js';

/** One realserver as a pool source declares it. */
export interface PoolServer {
  host: string;
  weight: number;
  enabled: boolean;
  /** Per-server port (vipd extension); absent = the service port. */
  port?: number;
}

export type OnUpdate = (servers: PoolServer[]) => void;
export type OnAlert = (message: string) => void;
/** The source works again after an alert (it may deliver no list: the good one may be unchanged). */
export type OnRecover = () => void;
/**
 * An etcd source's endpoint: unreachable (`down` says why) or answering again (null), for the
 * daemon's one alert per unreachable endpoint (etcd-outages.ts). Without it, an unreachable
 * endpoint is the source's own alert.
 */
export type OnEndpoint = (endpoint: string, down: string | null) => void;

/**
 * A live server list. `onUpdate` gets the complete list, first when known and then on each
 * change; on any failure the last good list stays and `onAlert` says why (never an empty list
 * because a source broke); `onRecover` hears when the problem of the last alert is gone.
 */
export interface PoolSource {
  readonly url: string;
  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover, onEndpoint?: OnEndpoint): void;
  stop(): Promise<void>;
  /** The last good list, or null before the first one. */
  last(): PoolServer[] | null;
}

export interface PoolParseResult {
  servers: PoolServer[];
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** The whole text is unusable (e.g. a JSON syntax error): keep the previous list. */
  fatal: boolean;
  /** Hosts named only by bad lines: each keeps its entry from the last good list, if it had one. */
  badHosts?: string[];
}
