import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Context } from '../context.js';
import { RateLimited } from '../core/errors.js';
import { TIERS, type RateCategory } from '../core/plans/tiers.js';
import type { App } from './typed.js';

// The plugin's own stores (it exports no path for them; both are plain CommonJS constructors).
// @ts-expect-error untyped internal module of @fastify/rate-limit
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
// @ts-expect-error untyped internal module of @fastify/rate-limit
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';

type Counted = { current: number; ttl: number };
type Incr = (key: string, cb: (err: Error | null, res?: Counted) => void, timeWindow: number, max: number) => void;
interface Store {
  incr: Incr;
  child(): Store;
}

/**
 * Counters shared through Redis; while Redis cannot be reached, this process counts on its own
 * (limits then hold per process) rather than refusing service. Outage and recovery are logged once.
 */
function resilientStore(redis: Redis, log: Logger): new () => Store {
  const shared: Store = new RedisStore(false, false, redis, 'tollgate:rl:');
  const local: Store = new LocalStore(false, false, 50_000);
  let degraded = false;
  const store: Store = {
    incr(key, cb, timeWindow, max) {
      shared.incr(
        key,
        (err, res) => {
          if (!err) {
            if (degraded) log.info('rate limits: Redis reachable again');
            degraded = false;
            return cb(null, res);
          }
          if (!degraded) log.warn({ err: err.message }, 'rate limits: Redis unreachable, counting in this process');
          degraded = true;
          local.incr(key, cb, timeWindow, max);
        },
        timeWindow,
        max,
      );
    },
    child: () => store,
  };
  return function ResilientStore() {
    return store;
  } as unknown as new () => Store;
}

type Limiter = (
  request: FastifyRequest,
) => Promise<{ isAllowed: boolean; isExceeded?: boolean; max?: number; remaining?: number; ttlInSeconds?: number }>;

/**
 * Categories counted per client address on the free tier's rule, before the credential is even
 * looked at (every sign-in or registration attempt costs, good or bad); the others count the
 * caller's account on its tier's rule.
 */
export function countsByAddress(category: RateCategory): boolean {
  return category === 'auth' || category === 'anonymous_generation';
}

function subject(category: RateCategory, request: FastifyRequest): string {
  const p = request.principal;
  if (countsByAddress(category) || !p) return `ip:${request.ip}`;
  return `user:${p.kind === 'end_user' ? p.ownerId : p.userId}`;
}

/** The rule for this request; null = unlimited. */
function ruleFor(category: RateCategory, request: FastifyRequest) {
  const p = request.principal;
  const tier = !countsByAddress(category) && p && 'tier' in p ? p.tier : 'free_starter';
  return TIERS[tier].rate[category];
}

/**
 * Per-tier rate limits by category (`config.limit`), counted with @fastify/rate-limit (in this
 * process, or in Redis shared by every process), after the credential is resolved so that the
 * caller's tier picks the limit. Sets the X-RateLimit-* headers cloud-api/introduction.mdx
 * documents (Reset as a Unix time) and throws the 429 each face formats.
 */
export async function installRateLimits(
  app: App,
  ctx: Context,
): Promise<(category: RateCategory, request: FastifyRequest, reply: FastifyReply) => Promise<void>> {
  await app.register(rateLimit, {
    global: false,
    ...(ctx.redis ? { store: resilientStore(ctx.redis, ctx.log) } : { cache: 50_000 }),
  });
  const limiters = new Map<RateCategory, Limiter>();
  const limiterFor = (category: RateCategory): Limiter => {
    let limiter = limiters.get(category);
    if (!limiter) {
      // Windows are per category; every tier's rule in one category shares its window.
      const windowSeconds = Object.values(TIERS).find((t) => t.rate[category])?.rate[category]?.windowSeconds ?? 3600;
      limiter = app.createRateLimit({
        timeWindow: windowSeconds * 1000,
        max: (request: FastifyRequest) => ruleFor(category, request)?.limit ?? Number.MAX_SAFE_INTEGER,
        keyGenerator: (request: FastifyRequest) => `${category}:${subject(category, request)}`,
        allowList: (request: FastifyRequest) => ruleFor(category, request) === null,
      }) as unknown as Limiter;
      limiters.set(category, limiter);
    }
    return limiter;
  };
  return async (category, request, reply) => {
    if (!ctx.config.rateLimit) return;
    const r = await limiterFor(category)(request);
    if (r.isAllowed) return; // allow-listed: unlimited, no headers
    const ttl = Math.max(1, r.ttlInSeconds ?? 1);
    reply.header('x-ratelimit-limit', String(r.max));
    reply.header('x-ratelimit-remaining', String(r.remaining));
    reply.header('x-ratelimit-reset', String(Math.floor(Date.now() / 1000) + ttl));
    if (r.isExceeded) throw RateLimited(ttl);
  };
}
