import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from '../../core/errors.js';
import { asDeveloper, type Developer } from '../auth.js';
import type { ConsoleSession } from '../../core/console-sessions/session.js';

/*
 * Who is calling a console route, for its handler. Here rather than in index.ts, which
 * registers the route files: they import this, and nothing imports back.
 */

/** The session of a route declared with a console credential (the credential has refused everyone else). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw Unauthenticated('not_signed_in', 'Please sign in.');
  return request.consoleSession;
}
/** Console routes declared `consoleDeveloper`: the developer principal the credential resolved. */
export const developerOf = (request: FastifyRequest): Developer => asDeveloper(request);

/** Route configs: a developer's session; a change also counts against the developer's management rate limit, as on the wire faces. */
export const dev = { auth: 'consoleDeveloper' as const };
export const devWrite = { auth: 'consoleDeveloper' as const, limit: 'management' as const };
