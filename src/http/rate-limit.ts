import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { RateLimited } from '../core/errors.js';
import { TIERS, type RateCategory } from '../core/plans/tiers.js';
import type { Tier } from '../db/schema/index.js';

/**
 * Counts this request against `subject`'s limit for the category on its tier, sets the
 * X-RateLimit-* headers, and throws RateLimited (429) past the limit. Unlimited categories
 * and RATE_LIMIT=off set no headers and count nothing.
 */
export async function applyRateLimit(
  ctx: Context,
  reply: FastifyReply,
  category: RateCategory,
  subject: string,
  tier: Tier,
): Promise<void> {
  if (!ctx.config.rateLimit) return;
  const rule = TIERS[tier].rate[category];
  if (!rule) return;
  const d = await ctx.rateLimiter.hit(`${category}:${subject}`, rule.limit, rule.windowSeconds, ctx.clock.now().getTime());
  reply.header('x-ratelimit-limit', String(d.limit));
  reply.header('x-ratelimit-remaining', String(d.remaining));
  reply.header('x-ratelimit-reset', String(d.resetAt));
  if (!d.allowed) throw RateLimited(Math.max(1, d.resetAt - Math.floor(ctx.clock.now().getTime() / 1000)));
}

/** Unauthenticated callers (register, login) are counted per client address on the free tier's rule. */
export function clientSubject(request: FastifyRequest): string {
  return `ip:${request.ip}`;
}
