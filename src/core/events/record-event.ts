import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';
import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';

/** The published list (README); `generation.*`, `subscription.*` and `payment.*` join as those areas add them. */
export const EVENT_TYPES = [
  'project.created',
  'project.updated',
  'project.deleted',
  'project.paid',
  'project.unpaid',
  'license.created',
  'license.updated',
  'license.revoked',
  'license.reactivated',
  'license.expired',
  'license.deleted',
  'license.checked_out',
  'license.rerolled',
  'device.activated',
  'device.deactivated',
  'device.released',
  'signing_key.rotated',
  'developer_key.rerolled',
  'project_key.rerolled',
  'domain.created',
  'domain.updated',
  'domain.deleted',
  'injectable.created',
  'injectable.updated',
  'injectable.deleted',
  'end_user.registered',
  'webhook.test',
  'generation.completed',
  'generation.failed',
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'payment.succeeded',
  'payment.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  ownerId: string;
  projectId: string | null;
  type: EventType;
  /** The webhook's `data`: see event-data.ts; never a secret, key or hash. */
  data: Record<string, unknown>;
}

/**
 * Writes the event in the caller's transaction, so it exists exactly when the change does,
 * and, when its project has a webhook endpoint that is not disabled, the delivery row the
 * delivery loop claims: an event is never recorded without its delivery, nor the reverse.
 * The endpoint is copied onto the delivery because a project.deleted event outlives its project.
 * Returns the event id (the `webhook-id` of every attempt).
 */
export async function recordEvent(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock'>,
  event: NewEvent,
): Promise<string> {
  const now = ctx.clock.now();
  const id = uuidv7(now.getTime());
  await trx
    .insertInto('events')
    .values({
      id,
      owner_id: event.ownerId,
      project_id: event.projectId,
      type: event.type,
      payload: JSON.stringify(event.data),
      created_at: now,
    })
    .execute();
  if (event.projectId !== null)
    await queueDeliveries(trx, [{ id, ownerId: event.ownerId, projectId: event.projectId, type: event.type }], now);
  return id;
}

/** Delivery rows for events just written in `trx` (also used by the expiry sweeper's batch insert). */
export async function queueDeliveries(
  trx: Transaction<Database>,
  events: Array<{ id: string; ownerId: string; projectId: string; type: string }>,
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const projectIds = [...new Set(events.map((e) => e.projectId))];
  const endpoints = await trx
    .selectFrom('projects')
    .select(['id', 'webhook_url', 'webhook_secret_enc'])
    .where('id', 'in', projectIds)
    .where('webhook_url', 'is not', null)
    .where('webhook_disabled_at', 'is', null)
    .execute();
  const byProject = new Map(endpoints.map((p) => [p.id, p]));
  const rows = events.flatMap((e) => {
    const p = byProject.get(e.projectId);
    if (!p?.webhook_url) return [];
    return [
      {
        id: uuidv7(now.getTime()),
        event_id: e.id,
        owner_id: e.ownerId,
        project_id: e.projectId,
        event_type: e.type,
        status: 'pending' as const,
        next_attempt_at: now,
        created_at: now,
        url: p.webhook_url,
        secret_enc: p.webhook_secret_enc,
      },
    ];
  });
  if (rows.length) await trx.insertInto('webhook_deliveries').values(rows).execute();
}
