/** A tracker client for tests: raw JSON over a real WebSocket, with a queue to await replies from. */
import WebSocket from 'ws';

export class TestClient {
  readonly received: Array<Record<string, unknown>> = [];
  private waiters: Array<{ match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      const i = this.waiters.findIndex((w) => w.match(msg));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
      else this.received.push(msg);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve();
      }),
    );
  }

  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The next message (already received or still to come) that matches, or a timeout error. */
  next(match: (m: Record<string, unknown>) => boolean = () => true, timeoutMs = 3000): Promise<Record<string, unknown>> {
    const i = this.received.findIndex(match);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.received).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Asserts nothing matching arrives within `ms`. */
  async nothing(match: (m: Record<string, unknown>) => boolean = () => true, ms = 300): Promise<boolean> {
    try {
      await this.next(match, ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): Promise<void> {
    this.ws.close();
    return this.closed;
  }
}

/** A 20-byte binary id from a short label, padded: readable in failures, valid on the wire. */
export function id(label: string): string {
  return label.padEnd(20, '.').slice(0, 20);
}

export const isFailure = (m: Record<string, unknown>) => 'failure reason' in m;
export const isOffer = (m: Record<string, unknown>) => 'offer' in m;
export const isAnswer = (m: Record<string, unknown>) => 'answer' in m;
export const isReply = (m: Record<string, unknown>) => m.action === 'announce' && 'interval' in m;
