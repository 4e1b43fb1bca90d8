import { toIso } from '../../lib/time.js';
import type { ConsoleSession, SessionCtx, SessionSummary } from './session.js';

/** The account's live sessions, newest first. */
export async function listSessions(ctx: SessionCtx, session: ConsoleSession): Promise<SessionSummary[]> {
  const now = ctx.clock.now();
  const idleCut = new Date(now.getTime() - ctx.config.console.idleSeconds * 1000);
  const rows = await ctx.db
    .selectFrom('console_sessions')
    .select(['id', 'user_agent', 'ip', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', session.userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleCut)
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    current: r.id === session.id,
    userAgent: r.user_agent,
    ip: r.ip,
    createdAt: toIso(r.created_at),
    lastSeenAt: toIso(r.last_seen_at),
    expiresAt: toIso(r.expires_at),
  }));
}
