import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  resetAt: number;
}

/** Fixed-window counters. In memory for one process; in Redis when several processes share limits. */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number, nowMs?: number): Promise<RateDecision>;
}

function decide(count: number, limit: number, resetAt: number): RateDecision {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  async hit(key: string, limit: number, windowSeconds: number, nowMs = Date.now()): Promise<RateDecision> {
    const now = Math.floor(nowMs / 1000);
    this.sweep(now);
    const windowStart = now - (now % windowSeconds);
    const id = `${key}:${windowSeconds}:${windowStart}`;
    const w = this.windows.get(id) ?? { count: 0, resetAt: windowStart + windowSeconds };
    w.count += 1;
    this.windows.set(id, w);
    return decide(w.count, limit, w.resetAt);
  }

  /** Drop ended windows at most once a minute, so memory stays bounded by active keys. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60) return;
    this.lastSweep = now;
    for (const [id, w] of this.windows) if (w.resetAt <= now) this.windows.delete(id);
  }
}

/**
 * Counters shared by every process through Redis. While Redis cannot be reached, this
 * process counts on its own (limits then hold per process) rather than refusing service;
 * the outage is logged once and the recovery once.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback = new MemoryRateLimiter();
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly log?: Logger,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number, nowMs = Date.now()): Promise<RateDecision> {
    const now = Math.floor(nowMs / 1000);
    const windowStart = now - (now % windowSeconds);
    const id = `tollgate:rl:${key}:${windowSeconds}:${windowStart}`;
    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await this.redis.multi().incr(id).expire(id, windowSeconds + 1).exec();
    } catch (err) {
      if (!this.degraded) this.log?.warn({ err: (err as Error).message }, 'rate limits: Redis unreachable, counting in this process');
      this.degraded = true;
      return this.fallback.hit(key, limit, windowSeconds, nowMs);
    }
    if (this.degraded) this.log?.info('rate limits: Redis reachable again');
    this.degraded = false;
    const count = Number(replies?.[0]?.[1] ?? 0);
    return decide(count, limit, windowStart + windowSeconds);
  }
}
