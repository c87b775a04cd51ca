/** A located problem in a config or pool file: `file:line[:column]: message`. */
export interface ConfigIssue {
  file: string;
  line: number;
  column?: number;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  if (i.line === 0) return `${i.file}: ${i.message}`;
  return `${i.file}:${i.line}${i.column !== undefined ? `:${i.column}` : ''}: ${i.message}`;
}

/** Nearest candidate by edit distance, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const c of candidates) {
    // The length difference is a lower bound of the distance: skip the O(n·m) table when it is too far.
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(word, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= limit ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
