import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';

/** Instance switch: may anyone sign up as a developer in the console? Closed unless an operator opened it. */
export async function signUpOpen(ctx: Pick<Context, 'db'>): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('instance_settings')
    .select('value')
    .where('name', '=', 'developer_sign_up')
    .executeTakeFirst();
  return row?.value === 'open';
}

/** An operator opens or closes developer sign-up; audited as `instance.sign_up_opened` / `instance.sign_up_closed`. */
export async function setSignUpOpen(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  open: boolean,
): Promise<boolean> {
  if (principal.kind !== 'operator') throw NotFound('setting');
  const now = ctx.clock.now();
  const value = open ? 'open' : 'closed';
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('instance_settings')
      .values({ name: 'developer_sign_up', value, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
      .execute();
    await recordAudit(trx, ctx, principal, {
      action: open ? 'instance.sign_up_opened' : 'instance.sign_up_closed',
      targetType: 'instance_setting',
      targetId: 'developer_sign_up',
      projectId: null,
      ownerId: null,
      changedFields: ['developer_sign_up'],
    });
  });
  return open;
}
