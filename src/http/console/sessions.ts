import { randomBytes } from 'node:crypto';
import type { Context } from '../../context.js';
import type { TokenPair } from '../../core/accounts/issue-tokens.js';
import { NotFound } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Tier } from '../../db/schema/index.js';
import { openSecret, sealSecret, sha256Hex } from '../../lib/crypto.js';
import { uuidv7 } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';

/** last_seen_at is written at most this often per session (the idle limit is minutes, not seconds). */
const TOUCH_EVERY_MS = 30_000;

export interface ConsoleSession {
  id: string;
  userId: string;
  kind: 'developer' | 'operator';
  principal: Principal;
  email: string;
  fullName: string | null;
  tier: Tier;
}

export interface SessionSummary {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

type Ctx = Pick<Context, 'db' | 'clock' | 'keys' | 'config'>;

/**
 * Starts a session: a fresh 256-bit token for the cookie (returned, never stored), the row
 * keyed by its hash, the account's tokens sealed with the server key.
 */
export async function startSession(
  ctx: Ctx,
  input: { userId: string; kind: 'developer' | 'operator'; tokens: TokenPair | null; userAgent: string | null; ip: string | null },
): Promise<{ token: string; id: string; maxAgeSeconds: number }> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const id = uuidv7(now.getTime());
  await ctx.db
    .insertInto('console_sessions')
    .values({
      id,
      token_hash: sha256Hex(token),
      user_id: input.userId,
      kind: input.kind,
      access_token_enc: input.tokens ? sealSecret(ctx.keys.seal, input.tokens.accessToken) : null,
      refresh_token_enc: input.tokens ? sealSecret(ctx.keys.seal, input.tokens.refreshToken) : null,
      user_agent: input.userAgent?.slice(0, 255) ?? null,
      ip: input.ip?.slice(0, 64) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ctx.config.console.absoluteSeconds * 1000),
    })
    .execute();
  return { token, id, maxAgeSeconds: ctx.config.console.absoluteSeconds };
}

/** Seals a new token pair into a session (after a password change revoked the ones it held). */
export async function replaceSessionTokens(ctx: Ctx, sessionId: string, tokens: TokenPair): Promise<void> {
  await ctx.db
    .updateTable('console_sessions')
    .set({ access_token_enc: sealSecret(ctx.keys.seal, tokens.accessToken), refresh_token_enc: sealSecret(ctx.keys.seal, tokens.refreshToken) })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * The live session behind a cookie token, or null: unknown, revoked, past its absolute or idle
 * limit, or whose account is gone or disabled. Refreshes last_seen_at (at most every 30 s).
 */
export async function resolveSession(ctx: Ctx, token: string): Promise<ConsoleSession | null> {
  if (!token || token.length > 100) return null;
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('console_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id', 's.kind', 's.last_seen_at', 's.expires_at', 's.revoked_at', 'u.email', 'u.full_name', 'u.role', 'u.tier', 'u.is_active'])
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
  return { id: row.id, userId: row.user_id, kind: row.kind, principal, email: row.email, fullName: row.full_name, tier: row.tier };
}

/** The account's live sessions, newest first. */
export async function listSessions(ctx: Ctx, session: ConsoleSession): Promise<SessionSummary[]> {
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

/**
 * Ends one of the account's sessions (a foreign or unknown id is 404). The refresh token the
 * session held is revoked with it, so nothing issued at that sign-in outlives it.
 */
export async function revokeSession(ctx: Ctx, session: Pick<ConsoleSession, 'userId'>, sessionId: string): Promise<void> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('console_sessions')
    .select(['id', 'refresh_token_enc'])
    .where('id', '=', sessionId)
    .where('user_id', '=', session.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw NotFound('session');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('console_sessions').set({ revoked_at: now, access_token_enc: null, refresh_token_enc: null }).where('id', '=', row.id).execute();
    const jti = row.refresh_token_enc ? refreshJti(openSecret(ctx.keys.seal, row.refresh_token_enc).toString('utf8')) : null;
    if (jti) {
      const family = await trx.selectFrom('refresh_tokens').select('family_id').where('id', '=', jti).executeTakeFirst();
      if (family) await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', family.family_id).where('revoked_at', 'is', null).execute();
    }
  });
}

/** The jti claim of a refresh token we issued (read without verifying: it came from our own sealed column). */
function refreshJti(token: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: unknown };
    return typeof payload.jti === 'string' ? payload.jti : null;
  } catch {
    return null;
  }
}
