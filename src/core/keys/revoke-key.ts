import type { ErrorCode } from '../error-codes.js';
import type { Context } from '../../context.js';
import { type AuditEntry, recordAudit } from '../audit/record-audit.js';
import { BadRequest } from '../errors.js';
import type { Developer } from './key-record.js';

/**
 * The revoke both kinds of key share: a conditional UPDATE of the caller's own active key (a
 * concurrent second revoke then sees "already revoked", `inactive`) and its audit entry, in
 * one transaction. The callers have found the key and checked what is theirs to check.
 */
export async function revokeKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  keyId: string,
  inactive: { code: ErrorCode; message: string },
  audit: Pick<AuditEntry, 'action' | 'targetType' | 'projectId'>,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable('api_keys')
      .set({ is_active: false, revoked_at: ctx.clock.now() })
      .where('id', '=', keyId)
      .where('user_id', '=', principal.userId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw BadRequest(inactive.code, inactive.message);
    await recordAudit(trx, ctx, principal, {
      ...audit,
      targetId: keyId,
      ownerId: principal.userId,
      changedFields: ['is_active'],
    });
  });
}
