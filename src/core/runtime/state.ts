import type { Context } from '../../context.js';
import { baseDomainOf, normalizeIdentifier } from '../domains/normalize.js';
import type { RuntimeChange } from './changes.js';
import { CheckRecorder } from './check-recorder.js';
import { CheckMemory } from './memory.js';
import { RuntimePush } from './push.js';
import type { Identifier } from './rules.js';
import { SnapshotStore } from './snapshot-store.js';
import type { LicenseSnapshot } from './snapshot.js';

const IDENTIFIER_MEMO_SIZE = 10_000;
/** Unknown keys one client address may send per minute before all its checks get 429. */
export const UNKNOWN_KEYS_PER_MINUTE = 120;

/**
 * Counts unknown keys per client address in fixed one-minute windows. A client past the
 * limit is refused (429) on every check until the window ends, known keys included, so
 * guessing keys in a loop stops paying off. Per process: with several processes behind a
 * balancer the limit holds per process.
 */
export class UnknownKeyLimiter {
  private minute = 0;
  private readonly counts = new Map<string, number>();

  private roll(nowMs: number): void {
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
  }

  /** Seconds until the window ends when `ip` is over the limit; 0 when it may check. */
  blockedFor(ip: string, nowMs: number): number {
    if (this.counts.size === 0) return 0;
    this.roll(nowMs);
    const n = this.counts.get(ip);
    if (n === undefined || n < UNKNOWN_KEYS_PER_MINUTE) return 0;
    return Math.max(1, Math.ceil(((this.minute + 1) * 60_000 - nowMs) / 1000));
  }

  unknown(ip: string, nowMs: number): void {
    this.roll(nowMs);
    this.counts.set(ip, (this.counts.get(ip) ?? 0) + 1);
  }
}

/**
 * Everything the runtime check keeps between requests, owned by one Context and released by
 * its close(): its memory (snapshots with their change feed and key filter, and the
 * statistics), the Redis push, parsed identifiers, announced expiries and the unknown-key counts.
 */
export class RuntimeState {
  readonly memory: CheckMemory;
  /** The statistics not yet written; flush() writes them (tools and tests). */
  readonly recorder: CheckRecorder;
  private readonly store: SnapshotStore;
  readonly unknownKeys = new UnknownKeyLimiter();
  /** Licenses whose expiry this process has announced (the claim makes it once in all). */
  readonly expiryAnnounced = new Set<string>();
  private readonly identifiers = new Map<string, Identifier | null>();
  private readonly push: RuntimePush | null;
  private pushing: Promise<void> | null = null;

  constructor(ctx: Pick<Context, 'db' | 'log' | 'clock' | 'redis'>) {
    this.store = new SnapshotStore(ctx);
    this.recorder = new CheckRecorder(ctx);
    this.memory = new CheckMemory(this.store, this.recorder);
    this.push = ctx.redis
      ? new RuntimePush(ctx.redis, ctx.log, (change, seq) => this.memory.invalidate(change, seq))
      : null;
  }

  /** Starts the feed, the key filter and the push (a serving process calls it at startup; the first check otherwise). */
  start(): Promise<void> {
    if (!this.pushing) this.pushing = this.push?.start() ?? Promise.resolve();
    return this.store.start();
  }

  /** Resolves once the key filter is filled (tools and the bench wait for it; serving does not). */
  ready(): Promise<void> {
    return this.store.filled();
  }

  /** The license snapshot of a key hash, as the check would see it (signed answers pick their key by it). */
  snapshotOf(keyHash: string): Promise<LicenseSnapshot | null> {
    return this.store.get(keyHash);
  }

  /** Reads the change feed now (tests that want memory current without waiting for the timer). */
  poll(): Promise<void> {
    return this.store.feed.poll();
  }

  /** A change in a transaction of this process (changes.ts): dropped here now, pushed to the others. */
  noted(change: RuntimeChange, seq: number): void {
    this.memory.invalidate(change, seq);
    this.push?.publish(change, seq);
  }

  /**
   * The canonical identifier and base of a raw X-Devpayr-Domain value. An install sends the
   * same value on every check, and parsing it (IDNA, IP forms) cost more than the rest of a
   * cached check, so recent answers are remembered; long values are not, to bound the memory.
   */
  identifierOf(raw: string): Identifier | null {
    const hit = this.identifiers.get(raw);
    if (hit !== undefined) return hit;
    const host = normalizeIdentifier(raw);
    const value = host === null ? null : { host, base: baseDomainOf(host) };
    if (raw.length <= 255) {
      if (this.identifiers.size >= IDENTIFIER_MEMO_SIZE) this.identifiers.delete(this.identifiers.keys().next().value!);
      this.identifiers.set(raw, value);
    }
    return value;
  }

  /** Stops the feed and the push, then writes the statistics still in memory. */
  async close(): Promise<void> {
    this.push?.close();
    await this.store.close();
    await this.recorder.flush();
  }
}
