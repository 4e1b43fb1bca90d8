import type { Context } from '../../context.js';
import type { DeliveryStatus } from '../../db/schema/webhook-deliveries.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toDelivery, type Delivery } from './delivery.js';

export interface DeliveryFilter {
  status?: DeliveryStatus;
  event?: string;
}

/** The project's webhook deliveries, newest first; a foreign project is NotFound. */
export async function listDeliveries(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  filter: DeliveryFilter,
  req: PageRequest,
): Promise<Page<Delivery>> {
  const { limit, before } = pageWindow(req);
  const project = await projectInScope(ctx, principal, projectId);
  let q = ctx.db.selectFrom('webhook_deliveries').selectAll().where('project_id', '=', project.id);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.event) q = q.where('event_type', '=', filter.event);
  if (before) q = q.where('id', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toDelivery);
}
