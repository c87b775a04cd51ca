/**
 * A large pool in an API reading, read piece by piece as the reading's parts go (issue 13 §5):
 * built whole, a 10,000-server pool held the main loop 30–80 ms in the reading's first turn (the
 * first reading, and the one after its addresses resolved). Two ways:
 * - whole: the worker lacks the pool's list (a new worker, a list edit): its pieces are staged by
 *   the worker and shown once the last is in (status-copy.ts);
 * - in place: the worker has the same hosts in the same order, so each piece's servers replace
 *   the worker's by host (addresses, ports or monitors may have changed: a resolution, a reload;
 *   an unchanged server keeps its object).
 * And the states of many transitions at once (a rack lost), by host.
 * SentLists follows what each piece carried, so a later reading by position stays right. Which
 * pools go in pieces: status-delta.ts inPieces. Pure over a KeyedStatus.
 */
import type { CheckSeries } from '../health/index.js';
import type { SentLists } from './state-delta.js';
import { encodeMoved, seriesOf, type DeltaJob, type PoolPiece } from './status-delta.js';
import type { KeyedStatus } from './types.js';

/**
 * A job's servers as they are now. The pool gone, given overrides or its list edited since the
 * reading began: what is left goes (or nothing), the service is marked and its list forgotten, so
 * the next reading sends it whole again.
 */
export function encodePiece(k: KeyedStatus, job: DeltaJob, sent?: SentLists): PoolPiece | null {
  const pool = k.servers?.(job.service, job.hosts) ?? null;
  if (job.moved) {
    // by host: a server gone since is left out, and the list edit that removed it marked the service
    if (!pool) k.changes.service(job.service);
    return pool ? { states: encodeMoved(k, job.service, pool, job.moved.marked) } : null;
  }
  const complete = pool !== null && pool.servers.length === job.hosts.length;
  if (!complete) { k.changes.service(job.service); sent?.forget(job.service); }
  if (!pool) return null;
  const { servers, ...summary } = pool;
  const series: CheckSeries[] = [];
  for (const s of servers) series.push(...seriesOf(k, job.service, s.host, s.monitors));
  if (job.inPlace) {
    if (complete) sent?.replaceAt(job.service, job.inPlace.from, servers);
    return { replace: { pool: summary, servers, series } };
  }
  const { from, of } = job.whole!;
  if (complete) sent?.append(job.service, servers);
  const more = from + job.hosts.length < of ? { more: true as const } : {};
  return from === 0 ? { pool: { pool, series, ...more } } : { append: { service: job.service, servers, series, ...more } };
}
