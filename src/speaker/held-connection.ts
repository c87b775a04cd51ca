import type { Socket } from 'node:net';
import type { NotificationMessage, OpenMessage } from '../bgp/types.js';
import type { Clock } from '../time/clock.js';
import { Connection } from './connection.js';

/**
 * RFC 4271 §6.8: a second connection from the peer while one is opening, held until its OPEN
 * arrives; the FSM then says which to keep (rejectCollision / acceptCollision effects).
 */
export class HeldConnection {
  private held: Connection | null = null;

  constructor(private readonly clock: Clock, private readonly closeTimeoutMs: number) {}

  get busy(): boolean { return this.held !== null; }

  hold(socket: Socket, onOpen: (open: OpenMessage) => void): void {
    const c = new Connection(socket, 'inbound', {
      message: (m) => { if (this.held !== c) return; if (m.type === 'OPEN') onOpen(m); else this.drop(); },
      error: () => { if (this.held === c) this.drop(); },
      closed: () => { if (this.held === c) this.held = null; },
    }, this.clock);
    this.held = c;
  }

  /** Notifies the held connection (Cease 6/7) and closes it. */
  reject(n: NotificationMessage): void {
    const c = this.take();
    if (!c) return;
    c.send(n);
    void c.close(this.closeTimeoutMs);
  }

  /** Hands the held connection over (its new owner sets the handlers). */
  take(): Connection | null {
    const c = this.held;
    this.held = null;
    return c;
  }

  drop(): void {
    void this.take()?.close(0);
  }
}
