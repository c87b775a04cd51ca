/**
 * Long loops over a 10,000-server table give the event loop back every few milliseconds
 * (issue 13 §5: no block over 50 ms), so BGP keepalives, health checks and /metrics go on.
 */

/** How long one slice of work may hold the event loop. */
export const SLICE_MS = 8;
/** The clock is read once per this many steps (a power of two). */
const STEPS_PER_LOOK = 256;

/** Lets I/O and timers run, then resumes. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts steps of a long loop and says when the current slice has used its time. */
export class Slicer {
  private started = performance.now();
  private steps = 0;
  /** Slices ended so far (a loop that never yielded: 0). */
  yields = 0;

  constructor(private readonly sliceMs: number = SLICE_MS) {}

  /** Call once per step; true when the loop should `await pause()` before the next one. */
  due(): boolean {
    if ((++this.steps & (STEPS_PER_LOOK - 1)) !== 0) return false;
    return performance.now() - this.started >= this.sliceMs;
  }

  /** For loops that already step coarsely (a generator's pauses): reads the clock every call. */
  dueNow(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  async pause(): Promise<void> {
    this.yields++;
    await yieldToLoop();
    this.started = performance.now();
  }
}

/** `each(x)` for every item in order, giving the event loop back between slices. */
export async function eachSliced<T>(items: Iterable<T>, each: (x: T) => void, slicer = new Slicer()): Promise<void> {
  for (const x of items) {
    each(x);
    if (slicer.due()) await slicer.pause();
  }
}

/** The lines of `text` with their 1-based numbers ('\n' separated, a last line without '\n' included), without splitting it into an array. */
function* linesOf(text: string): Generator<[string, number]> {
  let pos = 0;
  for (let no = 1; pos < text.length; no++) {
    const end = text.indexOf('\n', pos);
    const stop = end < 0 ? text.length : end;
    yield [text.slice(pos, stop), no];
    pos = stop + 1;
  }
}

/** Calls `each(line, number)` for every line of `text`. */
export function eachLine(text: string, each: (line: string, no: number) => void): void {
  for (const [line, no] of linesOf(text)) each(line, no);
}

/** `eachLine`, giving the event loop back between slices. */
export function eachLineSliced(text: string, each: (line: string, no: number) => void, slicer = new Slicer()): Promise<void> {
  return eachSliced(linesOf(text), ([line, no]) => each(line, no), slicer);
}

/**
 * Lines of a text that arrives in pieces (a child's stdout, streamed): each complete line goes to
 * `each` as its piece arrives, numbered from 1 across pieces; a line cut between pieces waits for
 * the rest. Each piece costs the loop only its own lines (issue 13 §5).
 */
export class LineFeed {
  private carry = '';
  private lines = 0;

  constructor(private readonly each: (line: string, no: number) => void) {}

  push(text: string): void {
    const cut = text.lastIndexOf('\n');
    if (cut < 0) { this.carry += text; return; }
    // With its last '\n', the walker yields exactly the complete lines (empty ones included).
    const whole = this.carry + text.slice(0, cut + 1);
    this.carry = text.slice(cut + 1);
    const base = this.lines;
    eachLine(whole, (line, no) => { this.lines = base + no; this.each(line, this.lines); });
  }

  /** The last line, when the text did not end with '\n'. */
  end(): void {
    if (this.carry !== '') this.each(this.carry, ++this.lines);
    this.carry = '';
  }
}
