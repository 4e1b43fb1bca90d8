import type { Context } from '../../context.js';
import type { Actor } from '../audit/record-audit.js';
import { NotFound } from '../errors.js';
import { newSecretKey, OPERATOR_KEY_PREFIX } from '../keys/secret-key.js';
import { normaliseEmail } from './account-input.js';
import { insertOperatorKey, operatorAudit } from './operators.js';

/**
 * Replaces a lost operator key: every active key of the operator with this email is revoked
 * and a new one issued (returned once), with their audit entries, in one transaction. Keys
 * are looked up per request, so running servers refuse the old ones at once. A key that
 * TOLLGATE_OPERATOR_KEY names is reactivated by the next start that sets it.
 */
export async function rotateOperatorKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  actor: Actor,
  email: string,
): Promise<{ key: string; revoked: number }> {
  const secret = newSecretKey(OPERATOR_KEY_PREFIX);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select('id')
      .where('email_scope', '=', 'global')
      .where('email_lower', '=', normaliseEmail(email))
      .where('role', '=', 'platform_operator')
      .executeTakeFirst();
    if (!user) throw NotFound('operator');
    const revoked = await trx
      .updateTable('api_keys')
      .set({ is_active: false, revoked_at: now })
      .where('user_id', '=', user.id)
      .where('kind', '=', 'operator')
      .where('is_active', '=', true)
      .returning('id')
      .execute();
    for (const { id } of revoked)
      await operatorAudit(trx, ctx, actor, 'operator_key.revoked', { type: 'operator_key', id }, ['is_active']);
    const keyId = await insertOperatorKey(
      trx,
      { userId: user.id, name: 'operator key', hash: secret.hash, prefix: secret.prefix },
      now,
    );
    await operatorAudit(trx, ctx, actor, 'operator_key.created', { type: 'operator_key', id: keyId }, ['name']);
    return { key: secret.key, revoked: revoked.length };
  });
}
