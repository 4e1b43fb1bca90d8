import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { endUser, ownedProject } from './owned-project.js';
import { toPaymentView, type PaymentView } from './payment.js';
import type { SubscriptionView } from './subscription.js';
import { listAllPayments, listAllSubscriptions } from './developer-overview.js';

export interface PageInput {
  page: number;
  pageSize: number;
}
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

/** The calling end user's payments in a mode, newest first. */
export async function listMyPayments(ctx: Pick<Context, 'db'>, principal: Principal, input: PageInput & { isTestMode: boolean }): Promise<Page<PaymentView>> {
  const { userId, projectId } = endUser(principal);
  const base = ctx.db
    .selectFrom('stripe_payments')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('is_test_mode', '=', input.isTestMode);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(input.pageSize).offset((input.page - 1) * input.pageSize).execute(),
  ]);
  return { items: rows.map(toPaymentView), total: Number(n), page: input.page, page_size: input.pageSize };
}

export interface ProjectListInput extends PageInput {
  /** null: both modes. */
  isTestMode: boolean | null;
  status?: string | null;
}

/** One project's payments, for its developer (a foreign project is NotFound), optionally of one mode and status. */
export async function listProjectPayments(ctx: Pick<Context, 'db'>, principal: Principal, projectId: string, input: ProjectListInput): Promise<Page<PaymentView>> {
  const project = await ownedProject(ctx, principal, projectId);
  return listAllPayments(ctx, principal, { projectId: project.id, isTestMode: input.isTestMode, status: input.status ?? null, page: input.page, pageSize: input.pageSize });
}

/** One project's subscriptions, for its developer (a foreign project is NotFound), optionally of one mode and status. */
export async function listProjectSubscriptions(ctx: Pick<Context, 'db'>, principal: Principal, projectId: string, input: ProjectListInput): Promise<Page<SubscriptionView>> {
  const project = await ownedProject(ctx, principal, projectId);
  return listAllSubscriptions(ctx, principal, { projectId: project.id, isTestMode: input.isTestMode, status: input.status ?? null, page: input.page, pageSize: input.pageSize });
}
