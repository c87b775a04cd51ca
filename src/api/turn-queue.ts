/**
 * Messages handled one per turn of the event loop, in order. Node's MessagePort hands a thread every
 * message that queued up while it was busy in one callback: the ten parts of a reading at 10,000
 * servers (each redacted and applied) held the API worker 250–370 ms in one go, and every request,
 * /metrics included, waited behind them (issue 13: /metrics within 100 ms). Between two messages
 * the loop now serves sockets and timers.
 */
export class TurnQueue<T> {
  private readonly items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly handle: (item: T) => void,
    private readonly schedule: (run: () => void) => void = (run) => { setImmediate(run); },
  ) {}

  /** Messages waiting for their turn. */
  get waiting(): number { return this.items.length; }

  push(item: T): void {
    this.items.push(item);
    this.next();
  }

  private next(): void {
    if (this.scheduled || this.items.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    // taken off the queue (a handled reading is not kept alive by it while more keep coming)
    const item = this.items.shift() as T;
    this.next(); // before the handler: a handler that throws does not stall the rest
    this.handle(item);
  }
}
