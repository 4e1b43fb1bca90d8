import { sha256Hex } from '../../lib/crypto.js';
import type { Principal } from '../principal.js';
import type { ConsoleSession, SessionCtx } from './session.js';

/** last_seen_at is written at most this often per session (the idle limit is minutes, not seconds). */
const TOUCH_EVERY_MS = 30_000;

/**
 * The live session behind a cookie token, or null: unknown, revoked, past its absolute or idle
 * limit, or whose account is gone or disabled. Refreshes last_seen_at (at most every 30 s).
 */
export async function resolveSession(ctx: SessionCtx, token: string): Promise<ConsoleSession | null> {
  if (!token || token.length > 100) return null;
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('console_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id',
      's.kind',
      's.last_seen_at',
      's.expires_at',
      's.revoked_at',
      'u.email',
      'u.full_name',
      'u.role',
      'u.tier',
      'u.is_active',
    ])
    .where('s.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || !row.is_active) return null;
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (new Date(row.expires_at).getTime() <= now.getTime()) return null;
  if (lastSeen + ctx.config.console.idleSeconds * 1000 <= now.getTime()) return null;
  // The account's role decides, not only what the row says (a role never changes today, but stay safe).
  const expectedRole = row.kind === 'operator' ? 'platform_operator' : 'developer';
  if (row.role !== expectedRole) return null;
  if (now.getTime() - lastSeen >= TOUCH_EVERY_MS) {
    await ctx.db.updateTable('console_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  }
  const principal: Principal =
    row.kind === 'operator'
      ? { kind: 'operator', userId: row.user_id, keyId: null, keyPrefix: null }
      : { kind: 'developer', userId: row.user_id, tier: row.tier, keyId: null, keyPrefix: null };
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    principal,
    email: row.email,
    fullName: row.full_name,
    tier: row.tier,
  };
}
