import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';
import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';

export type EventType =
  | 'project.created'
  | 'project.updated'
  | 'project.deleted'
  | 'project.paid_changed'
  | 'license.created'
  | 'license.revoked'
  | 'license.reactivated'
  | 'license.expired'
  | 'license.deleted'
  | 'domain.added'
  | 'domain.removed'
  | 'domain.paid_changed'
  | 'subscription.created'
  | 'subscription.updated'
  | 'subscription.canceled'
  | 'payment.succeeded'
  | 'payment.failed';

/** Writes the event in the caller's transaction, so it exists exactly when the change does. */
export async function recordEvent(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock'>,
  event: { ownerId: string; projectId: string | null; type: EventType; payload: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      id: uuidv7(),
      owner_id: event.ownerId,
      project_id: event.projectId,
      type: event.type,
      payload: JSON.stringify(event.payload),
      created_at: ctx.clock.now(),
    })
    .execute();
}
