import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Context } from '../context.js';
import type { Principal } from '../core/principal.js';
import type { RateCategory } from '../core/plans/tiers.js';
import { CREDENTIALS, OPENAPI_SECURITY, resolveCredential, type Credential } from './auth.js';
import { sendDevkitError, DevkitErrorSchemas } from './devkit/errors.js';
import { sendDevpayrError, envelopeError, DevpayrErrorSchemas } from './devpayr/errors.js';
import { answerBeforeBodyEnd } from './early-answer.js';
import { renameFields, type FieldNames } from './field-names.js';
import { ConsoleErrorSchemas, sendConsoleError } from './console/errors.js';
import { countsByAddress, installRateLimits } from './rate-limit.js';
import type { App } from './typed.js';

/*
 * The one way in. Every route declares, in its config, who may call it (`auth`), optionally the
 * rate-limit category it counts against (`limit`), and belongs to one face. For each request:
 *
 *   onRequest: resolve the declared credential into `request.principal`, count the rate limit
 *   → body parsing and schema validation (so 401/403 always come before 422)
 *   → the handler calls the core with `request.principal`
 *   → any error is answered by the route's face, in that face's format (devkit/errors.ts,
 *     devpayr/errors.ts); a path no route claims is answered by the face its path belongs to.
 */

export type Face = 'devkit' | 'devpayr' | 'console';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route: one credential of the catalogue in http/auth.ts. Required. */
    auth?: Credential;
    /** The per-tier rate-limit category this route counts against (core/plans/tiers.ts). */
    limit?: RateCategory;
    /** Set by the face plugin the route is declared in. */
    face?: Face;
    /** The core's field names this route's caller sends under another name: core name -> the caller's (field-names.ts). */
    fieldNames?: FieldNames;
  }
  interface FastifyRequest {
    /** The caller, as the route's declared credential resolved it; null on public routes. */
    principal: Principal | null;
  }
}

/** The DevPayr API's paths (specs/devpayr.md, and its offline license files); every other path belongs to the devkit face. */
export function faceOfPath(url: string): Face {
  const path = url.split('?', 1)[0]!;
  if (
    path === '/api/v1/projects' ||
    path === '/api/v1/project' ||
    path.startsWith('/api/v1/project/') ||
    path.startsWith('/api/v1/injectable/') ||
    path.startsWith('/api/v1/license/')
  )
    return 'devpayr';
  return 'devkit';
}

function faceOf(request: FastifyRequest): Face {
  return request.routeOptions.config?.face ?? faceOfPath(request.url);
}

const SENDERS = { devkit: sendDevkitError, devpayr: sendDevpayrError, console: sendConsoleError };

export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const names = request.routeOptions.config?.fieldNames;
  if (names) err = renameFields(err, names);
  return SENDERS[faceOf(request)](err, request, reply);
}

const ERROR_SCHEMAS = { devkit: DevkitErrorSchemas, devpayr: DevpayrErrorSchemas, console: ConsoleErrorSchemas };

/**
 * Call inside a face plugin: marks its routes as the face's, and documents each route's
 * credential and error answers in the OpenAPI document from its declaration.
 */
export function declareFace(app: App, face: Face): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    route.config = { ...(route.config as object), face };
    const auth = (route.config as { auth?: Credential }).auth;
    if (!auth || !CREDENTIALS.includes(auth))
      throw new Error(`${route.method} ${route.url}: declare config.auth as one of ${CREDENTIALS.join(', ')}`);
    if (!route.schema) return;
    const schema = route.schema as { security?: unknown; response?: Record<string, unknown> };
    schema.security ??= OPENAPI_SECURITY[auth];
    const errors = ERROR_SCHEMAS[face];
    const codes = auth === 'public' || auth === 'license' ? errors.public : errors.protected;
    schema.response = { ...Object.fromEntries(codes.map((c) => [c, errors.schema()])), ...schema.response };
  });
}

/** Decorates requests with `principal`, resolves declared credentials, and answers errors by face. */
export async function installPipeline(app: App, ctx: Context): Promise<void> {
  app.decorateRequest('principal', null);
  const countRate = await installRateLimits(app, ctx);

  const authenticate = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: Credential,
    limit: RateCategory | undefined,
  ) => {
    const early = limit !== undefined && countsByAddress(limit);
    if (early) await countRate(limit, request, reply);
    if (auth !== 'public' && auth !== 'license') request.principal = await resolveCredential(ctx, auth, request);
    if (limit && !early) await countRate(limit, request, reply);
  };
  // A callback hook that returns at once when there is nothing to resolve: the runtime check's path stays promise-free.
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config;
    const auth = config?.auth;
    // No route matched (a 404), or the docs' own routes.
    if (auth === undefined || ((auth === 'public' || auth === 'license') && !config.limit)) return done();
    authenticate(request, reply, auth, config.limit).then(() => done(), done);
  });

  // An answer sent while the body is still arriving (a 413, a 401 before a big upload): read
  // on for a bounded while, so that the client reads the answer rather than a reset.
  app.addHook('onSend', (request, reply, payload, done) => {
    answerBeforeBodyEnd(request, reply);
    done(null, payload);
  });

  app.setNotFoundHandler((request, reply) =>
    faceOf(request) === 'devpayr'
      ? reply.code(404).send(envelopeError('Route not found.'))
      : reply.code(404).send({ detail: 'Not Found' }),
  );
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
}
