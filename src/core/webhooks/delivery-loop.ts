import type { Selectable } from 'kysely';
import type { Context } from '../../context.js';
import { claimLeased } from '../../db/claim-leased.js';
import type { WebhookDeliveriesTable } from '../../db/schema/webhook-deliveries.js';
import { openSecret } from '../../lib/crypto.js';
import { uuidv7 } from '../../lib/ids.js';
import { leasedLoop, type Loop } from '../../lib/loop.js';
import { toIso } from '../../lib/time.js';
import { recordAudit, SYSTEM } from '../audit/record-audit.js';
import { sendWebhook, type AttemptResult } from './send-webhook.js';

type LoopCtx = Pick<Context, 'db' | 'dialect' | 'clock' | 'log' | 'keys' | 'config'>;

/** Attempts one process makes at once. */
const MAX_IN_FLIGHT = 16;

/**
 * How long a claim holds: an attempt ends within the timeout, so a live process always
 * finishes before its lease lapses, and a dead one's deliveries are taken over after it
 * (25 s with the default 10 s timeout).
 */
export function leaseMs(timeoutMs: number): number {
  return timeoutMs + 15_000;
}

/** Exponential schedule with ±10 % jitter, so endpoints that failed together are not retried together. */
export function nextDelay(schedule: number[], attemptsMade: number, random = Math.random): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.9 + 0.2 * random()));
}

type Claimed = Selectable<WebhookDeliveriesTable>;

/**
 * Claims up to `limit` due deliveries for `owner`: those pending or retrying whose time has
 * come and whose lease is free or lapsed (db/claim-leased.ts).
 */
async function claimDue(ctx: LoopCtx, owner: string, limit: number): Promise<Claimed[]> {
  const now = ctx.clock.now();
  const lease = { lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs(ctx.config.webhooks.timeoutMs)) };
  return claimLeased(ctx, limit, {
    due: (db) =>
      db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', 'in', ['pending', 'retrying'])
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(limit),
    take: (db, ids) =>
      db
        .updateTable('webhook_deliveries')
        .set(lease)
        .where('id', 'in', ids)
        // Still free: a row another process took since the SELECT stays its own.
        .where('status', 'in', ['pending', 'retrying'])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .returningAll()
        .execute(),
  });
}

/** The event's body and the endpoint as it is now (the copy on the delivery once the project is gone). */
async function prepare(ctx: LoopCtx, d: Claimed) {
  // One round trip: the event, and the project if it still exists.
  const row = await ctx.db
    .selectFrom('events as e')
    .leftJoin('projects as p', 'p.id', 'e.project_id')
    .select([
      'e.type',
      'e.payload',
      'e.created_at',
      'p.id as project_id',
      'p.webhook_url',
      'p.webhook_secret_enc',
      'p.webhook_disabled_at',
      'p.webhook_failing_since',
    ])
    .where('e.id', '=', d.event_id)
    .executeTakeFirst();
  const exists = row?.project_id != null;
  const url = exists ? row.webhook_url : d.url;
  const secretEnc = exists ? row.webhook_secret_enc : d.secret_enc;
  const body = row
    ? `{"type":${JSON.stringify(row.type)},"timestamp":${JSON.stringify(toIso(row.created_at))},"data":${row.payload}}`
    : null;
  return {
    body,
    url,
    secret: secretEnc ? openSecret(ctx.keys.seal, secretEnc) : null,
    disabled: exists && row.webhook_disabled_at != null,
    failing: exists && row.webhook_failing_since != null,
  };
}

class LeaseLost extends Error {}

/** Logs the attempt and moves the delivery on, only while this process still holds its lease. */
async function settle(
  ctx: LoopCtx,
  owner: string,
  d: Claimed,
  r: AttemptResult,
  final: boolean,
  failing: boolean,
): Promise<void> {
  const wh = ctx.config.webhooks;
  const attempts = d.attempts + 1;
  const delay = r.ok || final ? null : nextDelay(wh.retrySchedule, attempts);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('webhook_deliveries')
      .set({
        status: r.ok ? 'delivered' : delay === null ? 'failed' : 'retrying',
        attempts,
        next_attempt_at: delay === null ? null : new Date(now.getTime() + delay),
        lease_owner: null,
        lease_until: null,
        last_status_code: r.statusCode,
        last_error: r.error ?? (r.ok ? null : `answered ${r.statusCode}`),
        ...(r.ok ? { delivered_at: now } : {}),
      })
      .where('id', '=', d.id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new LeaseLost();
    await trx
      .insertInto('webhook_attempts')
      .values({
        id: uuidv7(r.attemptedAt.getTime()),
        delivery_id: d.id,
        attempted_at: r.attemptedAt,
        status_code: r.statusCode,
        duration_ms: r.durationMs,
        response_body: r.responseBody,
        error: r.error ?? (r.ok ? null : `answered ${r.statusCode}`),
      })
      .execute();
    // A refusal (no endpoint any more, event gone) says nothing about the endpoint's health.
    if (final && r.statusCode === null && !r.ok) return;
    if (r.ok) {
      // Most successes follow successes: only clear a failure streak that was seen.
      if (failing)
        await trx
          .updateTable('projects')
          .set({ webhook_failing_since: null })
          .where('id', '=', d.project_id)
          .where('webhook_failing_since', 'is not', null)
          .execute();
      return;
    }
    await trx
      .updateTable('projects')
      .set({ webhook_failing_since: r.attemptedAt })
      .where('id', '=', d.project_id)
      .where('webhook_failing_since', 'is', null)
      .execute();
    // Failing for too long without one success: disable, and stop the deliveries still queued.
    const disabled = await trx
      .updateTable('projects')
      .set({ webhook_disabled_at: now })
      .where('id', '=', d.project_id)
      .where('webhook_disabled_at', 'is', null)
      .where('webhook_failing_since', '<=', new Date(now.getTime() - wh.disableAfterMs))
      .returning(['id', 'owner_id'])
      .executeTakeFirst();
    if (disabled) {
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', next_attempt_at: null, last_error: 'endpoint disabled after failing without success' })
        .where('project_id', '=', d.project_id)
        .where('status', 'in', ['pending', 'retrying'])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .execute();
      await recordAudit(trx, ctx, SYSTEM, {
        action: 'webhook.disabled',
        targetType: 'webhook',
        targetId: disabled.id,
        projectId: disabled.id,
        ownerId: disabled.owner_id,
        changedFields: ['webhook_disabled_at'],
      });
    }
  });
}

/** One claimed delivery: attempt it (unless there is nothing to attempt) and settle it. */
async function attempt(ctx: LoopCtx, owner: string, d: Claimed): Promise<void> {
  const { body, url, secret, disabled, failing } = await prepare(ctx, d);
  const wh = ctx.config.webhooks;
  const refusal = !body
    ? 'event not found'
    : !url
      ? 'the project has no webhook url any more'
      : disabled
        ? 'endpoint disabled after failing without success'
        : null;
  const result: AttemptResult = refusal
    ? { attemptedAt: ctx.clock.now(), statusCode: null, durationMs: 0, responseBody: null, error: refusal, ok: false }
    : await sendWebhook(
        url!,
        { id: d.event_id, body: body!, secret },
        { timeoutMs: wh.timeoutMs, allowPrivateNetworks: wh.allowPrivateNetworks, now: () => ctx.clock.now() },
      );
  try {
    // A refusal is final: no retry could change it.
    await settle(ctx, owner, d, result, refusal !== null, failing);
  } catch (err) {
    if (err instanceof LeaseLost)
      ctx.log.warn({ delivery: d.id }, 'webhook delivery lease lapsed during an attempt; its result is dropped');
    else throw err;
  }
}

/**
 * The delivery loop: up to MAX_IN_FLIGHT attempts at once, claimed every WEBHOOK_POLL_INTERVAL,
 * whenever an attempt ends, and when this process commits a new delivery. On stop the
 * attempts in flight end (each within the timeout, so before its lease lapses).
 */
export function deliveryLoop(ctx: LoopCtx): Loop {
  return leasedLoop(ctx.log, {
    name: 'webhook delivery',
    capacity: MAX_IN_FLIGHT,
    pollMs: ctx.config.webhooks.pollMs,
    claim: (owner, limit) => claimDue(ctx, owner, limit),
    run: (d, owner) => attempt(ctx, owner, d),
  });
}
