/**
 * A service's published realserver list, patched by the servers whose `pooled` state changed
 * (issue 13 §1). Pure. The list is in pool order (`seq`); the servers beside it are its index.
 * A few changes are spliced in (two array moves each); more are merged in one pass: a rack failing
 * hands one flush dozens of changes in a 10,000-server list, and each splice moves the whole tail.
 */
import type { DesiredRealServer, ServerState } from './types.js';

/** The index of the first server with seq ≥ `seq` (the list is in pool order). */
function indexBySeq(ss: readonly ServerState[], seq: number): number {
  let lo = 0, hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ss[mid]!.seq < seq) lo = mid + 1; else hi = mid;
  }
  return lo;
}

interface Edit { s: ServerState; e: DesiredRealServer | null }

/** Past this many changes one merge pass is cheaper than splicing each. */
const SPLICES = 4;

/**
 * `rs` (entries) and `ss` (their servers) after `touched`, where `entry` gives a server's entry
 * now (null: not published). Null when nothing changed; otherwise new arrays (`rs` is not
 * modified: the previous list is IPVS's to keep; `ss` may be).
 */
export function patchList(
  rs: readonly DesiredRealServer[], ss: ServerState[], touched: Iterable<ServerState>, entry: (s: ServerState) => DesiredRealServer | null,
): { rs: DesiredRealServer[]; ss: ServerState[] } | null {
  const edits: Edit[] = [];
  for (const s of touched) {
    const e = entry(s);
    const i = indexBySeq(ss, s.seq);
    const present = i < ss.length && ss[i] === s;
    if (present ? rs[i] !== e : e !== null) edits.push({ s, e });
  }
  if (edits.length === 0) return null;
  if (edits.length <= SPLICES) {
    const out = rs.slice();
    for (const { s, e } of edits) {
      const i = indexBySeq(ss, s.seq);
      const present = i < ss.length && ss[i] === s;
      if (present && e !== null) out[i] = e;
      else if (present) { out.splice(i, 1); ss.splice(i, 1); }
      else { out.splice(i, 0, e!); ss.splice(i, 0, s); }
    }
    return { rs: out, ss };
  }
  edits.sort((a, b) => a.s.seq - b.s.seq);
  const outR: DesiredRealServer[] = [];
  const outS: ServerState[] = [];
  const add = (x: Edit): void => { if (x.e !== null) { outR.push(x.e); outS.push(x.s); } };
  let k = 0;
  for (let i = 0; i < ss.length; i++) {
    const s = ss[i]!;
    while (k < edits.length && edits[k]!.s.seq < s.seq) add(edits[k++]!); // new ones before s
    if (k < edits.length && edits[k]!.s === s) add(edits[k++]!); // s itself: a new entry, or gone
    else { outR.push(rs[i]!); outS.push(s); }
  }
  while (k < edits.length) add(edits[k++]!);
  return { rs: outR, ss: outS };
}
