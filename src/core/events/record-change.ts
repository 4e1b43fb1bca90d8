import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { type Actor, recordAudit } from '../audit/record-audit.js';
import { type EventType, recordEvent } from './record-event.js';

export interface Change {
  /** The event type, which is also the audit action: `domain.created`, `license.revoked` … */
  type: EventType;
  /** The project the changed object belongs to (for a project, itself). */
  project: { id: string; ownerId: string };
  target: { type: string; id: string };
  /** The webhook's `data` (event-data.ts). */
  data: Record<string, unknown>;
  /** Names only, never values. */
  changedFields?: string[];
}

/**
 * A change to a project or one of its objects, recorded the one way every change is: the
 * event webhooks deliver and the audit entry naming who made it, both in the change's own
 * transaction, so each exists exactly when the change does.
 */
export async function recordChange(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock'>,
  actor: Actor,
  change: Change,
): Promise<void> {
  const { id: projectId, ownerId } = change.project;
  await recordEvent(trx, ctx, { ownerId, projectId, type: change.type, data: change.data });
  await recordAudit(trx, ctx, actor, {
    action: change.type,
    targetType: change.target.type,
    targetId: change.target.id,
    projectId,
    ownerId,
    ...(change.changedFields ? { changedFields: change.changedFields } : {}),
  });
}

/** The fields an input sets (those not left undefined), for an audit entry's changed_fields. */
export function givenFields(input: object): string[] {
  return Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
}
