import type { Context } from '../../context.js';
import type { RuntimeChange } from './changes.js';

/** How often each process reads the change table. */
export const POLL_EVERY_MS = 200;
/**
 * Cached snapshots are served only while the last successful poll started less than this
 * long ago. It is the bound on how long a change made through any process can go unseen
 * here, polls failing or not: past it, every check reads the database.
 */
export const FEED_FRESH_MS = 750;
/**
 * Sequence numbers are drawn when a transaction inserts and become visible when it commits,
 * so on PostgreSQL a smaller number can appear after a larger one. Rows are re-read for this
 * long after they are first seen, which covers any transaction that commits within it.
 */
const LOOKBACK_MS = 10_000;
/** More new rows than this in one poll: drop every cached snapshot instead of reading them all. */
const MAX_ROWS_PER_POLL = 2_000;
/** Rows older than this are deleted (by whichever process gets there; deleting twice is harmless). */
const KEEP_ROWS_MS = 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

export interface FeedListener {
  changed(change: RuntimeChange, seq: number): void;
  /** Too much changed to say what: forget everything. */
  reset(): void;
  /** After each successful poll (the listener expires its own bookkeeping here). */
  polled?(now: number): void;
}

/**
 * One process's reader of `runtime_changes`. It starts LOOKBACK_MS before the table's
 * current end (rows of transactions still open at start are not missed; replaying a few
 * recent rows only drops caches that are still empty), polls
 * every POLL_EVERY_MS for rows past its low-water mark, and hands each new row to the
 * listener once. The low-water mark trails the newest row by LOOKBACK_MS so that rows which
 * commit out of sequence order are still read; rows already handed over are remembered.
 */
export class RuntimeFeed {
  /** Null until the table's current end has been read. */
  private low: number | null = null;
  /** seq -> when this process first saw it, for rows above `low`. */
  private readonly handed = new Map<number, number>();
  private lastGoodPollStart = -Infinity;
  private lastPrune = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private failing = false;
  private closed = false;

  constructor(
    private readonly ctx: Pick<Context, 'db' | 'log' | 'clock'>,
    private readonly listener: FeedListener,
  ) {}

  /** Polls until close(); the first poll reads where the table ends now. */
  start(): Promise<void> {
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => void this.poll(), POLL_EVERY_MS);
      this.timer.unref();
    }
    return this.poll();
  }

  /** True while cached snapshots may be served: a poll started recently has succeeded. */
  isCurrent(now = performance.now()): boolean {
    return now - this.lastGoodPollStart < FEED_FRESH_MS;
  }

  /** Whether the row `seq` has already been handed to the listener (or lies below what this feed reads). */
  seen(seq: number): boolean {
    return this.low !== null && (seq <= this.low || this.handed.has(seq));
  }

  /** One read of the table (also callable directly, e.g. by tests that want no wait). */
  poll(): Promise<void> {
    this.polling ??= this.readChanges().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async readChanges(): Promise<void> {
    const startedAt = performance.now();
    try {
      if (this.low === null) {
        const end = await this.ctx.db
          .selectFrom('runtime_changes')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('created_at', '<', new Date(this.ctx.clock.now().getTime() - LOOKBACK_MS))
          .executeTakeFirst();
        this.low = Number(end?.seq ?? 0);
      }
      const low = this.low;
      const rows = await this.ctx.db
        .selectFrom('runtime_changes')
        .select(['seq', 'project_id', 'license_id', 'key_hash'])
        .where('seq', '>', low)
        .orderBy('seq')
        .limit(MAX_ROWS_PER_POLL)
        .execute();
      if (rows.length === MAX_ROWS_PER_POLL) {
        this.listener.reset();
        this.handed.clear();
        this.low = Number(rows[rows.length - 1]!.seq);
      } else {
        for (const r of rows) {
          const seq = Number(r.seq);
          if (this.handed.has(seq)) continue;
          this.handed.set(seq, startedAt);
          this.listener.changed({ projectId: r.project_id, licenseId: r.license_id, keyHash: r.key_hash }, seq);
        }
        for (const [seq, seenAt] of this.handed) {
          if (startedAt - seenAt < LOOKBACK_MS) continue;
          this.handed.delete(seq);
          if (seq > this.low) this.low = seq;
        }
      }
      this.lastGoodPollStart = startedAt;
      this.listener.polled?.(startedAt);
      if (this.failing) this.ctx.log.info('runtime change feed recovered');
      this.failing = false;
      if (startedAt - this.lastPrune > PRUNE_EVERY_MS) await this.prune(startedAt);
    } catch (err) {
      // Until a poll succeeds again, isCurrent() turns false and checks read the database.
      if (!this.failing) this.ctx.log.warn({ err }, 'runtime change feed: poll failed; serving checks without cache');
      this.failing = true;
    }
  }

  private async prune(now: number): Promise<void> {
    this.lastPrune = now;
    const before = new Date(this.ctx.clock.now().getTime() - KEEP_ROWS_MS);
    await this.ctx.db.deleteFrom('runtime_changes').where('created_at', '<', before).execute();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }
}
