import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { Forbidden, Unauthenticated } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import { CSRF_HEADER, readSessionToken, transport } from './security.js';
import { resolveSession } from '../../core/console-sessions/resolve-session.js';
import type { ConsoleSession } from '../../core/console-sessions/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session behind the cookie, when a console credential found one. */
    consoleSession: ConsoleSession | null;
  }
}

export type ConsoleNeed = 'optional' | 'any' | 'developer' | 'operator';

/**
 * The console's credential (the `console*` entries of the catalogue in http/auth.ts): the
 * session cookie, read by console routes only. Every change is first checked against CSRF —
 * our custom header (a form or a simple cross-site request cannot send it) and the Origin —
 * before the cookie is even looked at; SameSite=Strict keeps the cookie off cross-site
 * requests besides. The session resolves into the same Principal the other faces give the core.
 */
export async function resolveConsoleCredential(
  ctx: Context,
  request: FastifyRequest,
  need: ConsoleNeed,
): Promise<Principal | null> {
  const t = transport(ctx.config, request);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    if (request.headers[CSRF_HEADER] !== '1')
      throw Forbidden('csrf_header', `Refused: the ${CSRF_HEADER} header is missing.`);
    if (request.headers.origin !== t.origin)
      throw Forbidden('csrf_origin', 'Refused: the request does not come from this console.');
  }
  const token = readSessionToken(t, request);
  const session = token ? await resolveSession(ctx, token) : null;
  request.consoleSession = session;
  if (!session) {
    if (need === 'optional') return null;
    throw Unauthenticated('not_signed_in', 'Your session has ended. Please sign in again.');
  }
  if (need === 'developer' && session.kind !== 'developer')
    throw Forbidden('developer_required', 'This page is for developer accounts.');
  if (need === 'operator' && session.kind !== 'operator')
    throw Forbidden('operator_required', 'This page is for operators.');
  const origin = { ip: request.ip, requestId: String(request.id) };
  return session.kind === 'operator'
    ? { kind: 'operator', userId: session.userId, keyId: null, keyPrefix: null, origin }
    : { kind: 'developer', userId: session.userId, tier: session.tier, keyId: null, keyPrefix: null, origin };
}
