import type { Context } from '../../context.js';
import { invalidField } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { recordEvent } from '../events/record-event.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toDelivery, type Delivery } from './delivery.js';

/** Records a `webhook.test` event and returns its delivery, which the loop sends like any other. */
export async function sendTestEvent(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
): Promise<Delivery> {
  const project = await projectInScope(ctx, principal, projectId);
  return ctx.db.transaction().execute(async (trx) => {
    const endpoint = await trx
      .selectFrom('projects')
      .select(['webhook_url', 'webhook_disabled_at'])
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    if (!endpoint.webhook_url)
      throw invalidField('webhook_url', 'The project has no webhook url; set one first.', 'missing');
    if (endpoint.webhook_disabled_at)
      throw invalidField(
        'webhook_url',
        'The webhook endpoint was disabled after failing; set its url again to re-enable it.',
        'disabled',
      );
    const eventId = await recordEvent(trx, ctx, {
      ownerId: project.ownerId,
      projectId: project.id,
      type: 'webhook.test',
      data: { project_id: project.id, message: 'This is a test event sent from Tollgate.' },
    });
    await recordAudit(trx, ctx, principal, {
      action: 'webhook.tested',
      targetType: 'webhook',
      targetId: project.id,
      projectId: project.id,
      ownerId: project.ownerId,
    });
    const row = await trx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    return toDelivery(row);
  });
}
