// A minimal client for BIRD's control socket (what birdc speaks), kept open so that a RIB query costs
// well under a millisecond instead of birdc's 3–7 ms process start.
import { connect, type Socket } from 'node:net';

export class BirdCtl {
  private buf = '';
  private waiter: ((reply: string) => void) | null = null;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { this.buf += d; this.check(); });
  }

  static async open(path: string): Promise<BirdCtl> {
    const sock = connect(path);
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    const ctl = new BirdCtl(sock);
    await ctl.reply(); // "0001 BIRD x.y.z ready."
    return ctl;
  }

  /** Sends one command; resolves with the whole reply (ends at a line whose code is followed by a space). */
  query(cmd: string): Promise<string> {
    const p = this.reply();
    this.sock.write(cmd + '\n');
    return p;
  }

  close(): void { this.sock.destroy(); }

  private reply(): Promise<string> {
    return new Promise((resolve) => { this.waiter = resolve; this.check(); });
  }

  private check(): void {
    if (!this.waiter) return;
    const m = /(^|\n)\d{4} [^\n]*\n/.exec(this.buf);
    if (!m) return;
    const end = m.index + m[0].length;
    const reply = this.buf.slice(0, end);
    this.buf = this.buf.slice(end);
    const w = this.waiter;
    this.waiter = null;
    w(reply);
  }
}
