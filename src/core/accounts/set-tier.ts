import type { Context } from '../../context.js';
import type { Tier } from '../../db/schema/index.js';
import { isUuid } from '../../lib/ids.js';
import { Forbidden, invalidField, NotFound } from '../errors.js';
import { isTier, TIER_NAMES } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { normaliseEmail } from './account-input.js';

export interface DeveloperTier {
  id: string;
  email: string;
  tier: Tier;
}

/**
 * An operator moves a developer to another plan tier. Limits apply from the next
 * operation on; existing projects and keys beyond a lower tier's limits are kept.
 */
export async function setDeveloperTier(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  input: { developer: string; tier: string },
): Promise<DeveloperTier> {
  if (principal.kind !== 'operator') throw Forbidden('operator_required', 'Insufficient permissions. Platform operator role required.');
  if (!isTier(input.tier)) throw invalidField('tier', `tier must be one of: ${TIER_NAMES.join(', ')}`, 'type_error.enum');
  const q = ctx.db.updateTable('users').set({ tier: input.tier, updated_at: ctx.clock.now() }).where('role', '=', 'developer');
  const byId = isUuid(input.developer);
  const row = await (byId
    ? q.where('id', '=', input.developer)
    : q.where('email_scope', '=', 'global').where('email_lower', '=', normaliseEmail(input.developer))
  )
    .returning(['id', 'email', 'tier'])
    .executeTakeFirst();
  if (!row) throw NotFound('developer');
  return { id: row.id, email: row.email, tier: row.tier };
}
