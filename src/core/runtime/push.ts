import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RuntimeChange } from './changes.js';

const CHANNEL = 'tollgate:runtime-changes';

interface Message {
  s: number;
  p: string;
  l: string | null;
  k: string | null;
}

/**
 * Runtime changes pushed between processes over Redis pub/sub, so every process drops the
 * snapshots a change concerns within milliseconds instead of at its next feed poll. A hint
 * only: a message lost while Redis is down changes nothing, since the feed still delivers
 * every committed change within its bound. The publisher sends before its transaction
 * commits, so a receiver treats the change as pending (snapshot-store) until its feed reads
 * the row.
 */
export class RuntimePush {
  private readonly sub: Redis;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    onChange: (change: RuntimeChange, seq: number) => void,
  ) {
    // A subscriber needs its own connection; it reconnects and resubscribes by itself.
    this.sub = redis.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.sub.on('error', () => {
      // The shared client already logs Redis trouble; the feed covers the gap.
    });
    this.sub.on('message', (_channel: string, text: string) => {
      let m: Message;
      try {
        m = JSON.parse(text) as Message;
      } catch {
        return;
      }
      if (typeof m.s !== 'number' || typeof m.p !== 'string') return;
      onChange({ projectId: m.p, licenseId: m.l ?? null, keyHash: m.k ?? null }, m.s);
    });
  }

  async start(): Promise<void> {
    try {
      await this.sub.connect();
      await this.sub.subscribe(CHANNEL);
    } catch (err) {
      if (!this.closed)
        this.log.warn(
          { err: (err as Error).message },
          'runtime push: cannot subscribe; changes from other processes arrive by polling',
        );
    }
  }

  publish(change: RuntimeChange, seq: number): void {
    const m: Message = { s: seq, p: change.projectId, l: change.licenseId, k: change.keyHash ?? null };
    this.redis.publish(CHANNEL, JSON.stringify(m)).catch(() => {
      // Redis is down: the other processes' feeds deliver the change within their bound.
    });
  }

  close(): void {
    this.closed = true;
    this.sub.disconnect();
  }
}
