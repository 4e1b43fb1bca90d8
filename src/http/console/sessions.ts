import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import type { TokenPair } from '../../core/accounts/issue-tokens.js';
import { resolveSession } from '../../core/console-sessions/resolve-session.js';
import type { ConsoleSession } from '../../core/console-sessions/session.js';
import { startSession } from '../../core/console-sessions/start-session.js';
import { Unauthenticated } from '../../core/errors.js';
import { sessionCookie, transport } from './security.js';

/*
 * The HTTP side of console sessions: the cookie that carries one. The sessions themselves
 * (their rows, limits and revocation) are the core's, in core/console-sessions.
 */

/** Signs the caller in: starts a session for the account and sets its cookie on the reply. */
export async function beginSession(
  ctx: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  kind: 'developer' | 'operator',
  tokens: TokenPair | null,
): Promise<ConsoleSession> {
  const t = transport(ctx.config, request);
  const s = await startSession(ctx, {
    userId,
    kind,
    tokens,
    userAgent: request.headers['user-agent'] ?? null,
    ip: request.ip,
  });
  reply.header('set-cookie', sessionCookie(t, s.token, s.maxAgeSeconds));
  const session = await resolveSession(ctx, s.token);
  if (!session) throw Unauthenticated('not_signed_in', 'Please sign in.');
  return session;
}

/** Clears the session cookie in the caller's browser (after its session was ended). */
export function clearSessionCookie(ctx: Context, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', sessionCookie(transport(ctx.config, request), null, 0));
}
