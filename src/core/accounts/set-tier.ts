import type { Context } from '../../context.js';
import type { Tier } from '../../db/schema/index.js';
import { isUuid } from '../../lib/ids.js';
import { Forbidden, invalidField, NotFound } from '../errors.js';
import { isTier, TIER_NAMES } from '../plans/tiers.js';
import { recordAudit, type Actor } from '../audit/record-audit.js';
import { normaliseEmail } from './account-input.js';

export interface DeveloperTier {
  id: string;
  email: string;
  tier: Tier;
}

/**
 * An operator (or the command line, `system`/`cli`) moves a developer to another plan tier. Limits apply from the next
 * operation on; existing projects and keys beyond a lower tier's limits are kept.
 */
export async function setDeveloperTier(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Actor,
  input: { developer: string; tier: string },
): Promise<DeveloperTier> {
  if (principal.kind !== 'operator' && principal.kind !== 'system')
    throw Forbidden('operator_required', 'Insufficient permissions. Platform operator role required.');
  if (!isTier(input.tier))
    throw invalidField('tier', `tier must be one of: ${TIER_NAMES.join(', ')}`, 'type_error.enum');
  const tier: Tier = input.tier;
  return ctx.db.transaction().execute(async (trx) => {
    const q = trx.updateTable('users').set({ tier, updated_at: ctx.clock.now() }).where('role', '=', 'developer');
    const byId = isUuid(input.developer);
    const row = await (byId
      ? q.where('id', '=', input.developer)
      : q.where('email_scope', '=', 'global').where('email_lower', '=', normaliseEmail(input.developer))
    )
      .returning(['id', 'email', 'tier'])
      .executeTakeFirst();
    if (!row) throw NotFound('developer');
    await recordAudit(trx, ctx, principal, {
      action: 'developer.tier_set',
      targetType: 'developer',
      targetId: row.id,
      projectId: null,
      ownerId: row.id,
      changedFields: ['tier'],
    });
    return { id: row.id, email: row.email, tier: row.tier };
  });
}
