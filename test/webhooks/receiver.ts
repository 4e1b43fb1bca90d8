import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver does with the next request: answer 200, 500, never (past the sender's timeout), or redirect. */
export type Mode = 'ok' | 'fail' | 'timeout' | 'redirect';

export interface Received {
  id: string;
  timestamp: string;
  signature: string | undefined;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Checked with the standardwebhooks package, as a receiver would (null: no secret to check with). */
  verified: boolean | null;
  mode: Mode;
  at: number;
  /** Set when the answer was written out in full (false: the sender went away first). */
  answered: boolean;
}

/**
 * A webhook receiver on loopback, the service outside our code: it verifies every request with
 * the official `standardwebhooks` package and answers as told.
 */
export class Receiver {
  readonly received: Received[] = [];
  /** Requests to the redirect target: must stay empty, since redirects are not followed. */
  readonly followed: string[] = [];
  readonly queue: Mode[] = [];
  mode: Mode = 'ok';
  delayMs = 0;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    public secret: string | null,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  static async start(secret: string | null): Promise<Receiver> {
    const server = http.createServer();
    const r = new Receiver(server, secret);
    server.on('connection', (s) => {
      r.sockets.add(s);
      s.on('close', () => r.sockets.delete(s));
    });
    server.on('request', (req, res) => r.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/moved') {
        this.followed.push(String(req.headers['webhook-id']));
        res.end('followed');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified: boolean | null = null;
      if (this.secret !== null) {
        try {
          // The key is the secret's UTF-8 bytes: for an ASCII secret, the string form is the same key.
          const ascii = /^[\x00-\x7f]*$/.test(this.secret);
          new Webhook(ascii ? this.secret : new TextEncoder().encode(this.secret), { format: 'raw' }).verify(
            body,
            headers,
          );
          verified = true;
        } catch {
          verified = false;
        }
      }
      const mode = this.queue.shift() ?? this.mode;
      const entry: Received = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: req.headers['webhook-signature'] as string | undefined,
        body,
        payload: JSON.parse(body),
        verified,
        mode,
        at: Date.now(),
        answered: false,
      };
      this.received.push(entry);
      res.on('finish', () => (entry.answered = true));
      const answer = () => {
        if (mode === 'ok') res.end(JSON.stringify({ received: true }));
        else if (mode === 'fail') res.writeHead(500).end('receiver broke');
        else if (mode === 'redirect') res.writeHead(302, { location: '/moved' }).end();
        // 'timeout': never answer; the sender gives up and closes.
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.payload.type === type);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}; received ${this.received.map((r) => r.payload.type).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
