import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { listAllPayments, listAllSubscriptions } from './developer-overview.js';
import { offsetOf, type NumberedPage, type PageInput } from './numbered-page.js';
import { endUser, ownedProject } from './owned-project.js';
import { toPayment, type Payment } from './payment.js';
import type { Subscription } from './subscription.js';

/** The calling end user's payments in a mode, newest first. */
export async function listMyPayments(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  input: PageInput & { isTestMode: boolean },
): Promise<NumberedPage<Payment>> {
  const { userId, projectId } = endUser(principal);
  const base = ctx.db
    .selectFrom('stripe_payments')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('is_test_mode', '=', input.isTestMode);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(input.pageSize)
      .offset(offsetOf(input))
      .execute(),
  ]);
  return { items: rows.map(toPayment), total: Number(n), page: input.page, pageSize: input.pageSize };
}

export interface ProjectListInput extends PageInput {
  /** null: both modes. */
  isTestMode: boolean | null;
  status?: string | null;
}

/** One project's payments, for its developer (a foreign project is NotFound), optionally of one mode and status. */
export async function listProjectPayments(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  input: ProjectListInput,
): Promise<NumberedPage<Payment>> {
  const project = await ownedProject(ctx, principal, projectId);
  return listAllPayments(ctx, principal, {
    projectId: project.id,
    isTestMode: input.isTestMode,
    status: input.status ?? null,
    page: input.page,
    pageSize: input.pageSize,
  });
}

/** One project's subscriptions, for its developer (a foreign project is NotFound), optionally of one mode and status. */
export async function listProjectSubscriptions(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  input: ProjectListInput,
): Promise<NumberedPage<Subscription>> {
  const project = await ownedProject(ctx, principal, projectId);
  return listAllSubscriptions(ctx, principal, {
    projectId: project.id,
    isTestMode: input.isTestMode,
    status: input.status ?? null,
    page: input.page,
    pageSize: input.pageSize,
  });
}
