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
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
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
