import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toAttempt, toDelivery, type Attempt, type Delivery } from './delivery.js';

/**
 * One delivery of the project with its logged attempts, oldest first, read in one statement:
 * an attempt and the delivery's new status are committed together (delivery-loop.ts), and
 * two reads could see the attempt without the status (PostgreSQL gives each statement its
 * own snapshot), showing a delivery still "pending" with a failed attempt logged.
 */
export async function getDelivery(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  deliveryId: string,
): Promise<Delivery & { attemptLog: Attempt[] }> {
  const project = await projectInScope(ctx, principal, projectId);
  if (!isUuid(deliveryId)) throw NotFound('delivery');
  const rows = await ctx.db
    .selectFrom('webhook_deliveries as d')
    .leftJoin('webhook_attempts as a', 'a.delivery_id', 'd.id')
    .selectAll('d')
    .select(['a.id as attempt_id', 'a.attempted_at', 'a.status_code', 'a.duration_ms', 'a.response_body', 'a.error'])
    .where('d.id', '=', deliveryId)
    .where('d.project_id', '=', project.id)
    .orderBy('a.attempted_at')
    .orderBy('a.id')
    .execute();
  const row = rows[0];
  if (!row) throw NotFound('delivery');
  const attempts = rows.filter((r) => r.attempt_id !== null);
  return {
    ...toDelivery(row),
    attemptLog: attempts.map((a) =>
      toAttempt({
        id: a.attempt_id!,
        delivery_id: row.id,
        attempted_at: a.attempted_at!,
        status_code: a.status_code,
        duration_ms: a.duration_ms!,
        response_body: a.response_body,
        error: a.error,
      }),
    ),
  };
}
