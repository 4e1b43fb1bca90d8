import type { FastifyRequest, RouteOptions } from 'fastify';
import type { App } from '../typed.js';

/*
 * The Dev Kit API is a FastAPI service, which answers a path asked with or without its trailing
 * slash (it redirects to the declared one), and its clients call both: the OpenAPI document has
 * `/api/v1/projects/`, the reference pages and the Cloud Admin console `POST /api/v1/projects`.
 * So every devkit route is also served at its other spelling (hidden from /docs: one entry per
 * route there).
 *
 * One such spelling belongs to the DevPayr face: `GET /api/v1/projects` is the DevPayr SDKs' list
 * (X-API-KEY). There the devkit route is taken only by a request carrying the devkit's
 * credentials (`Authorization` or `X-Developer-Key`) and no `X-API-KEY`; any other request,
 * credentials or none, stays the DevPayr face's, as before. This is a router constraint, so each
 * of the two routes keeps its one declared credential.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the devkit route that serves another's other spelling. */
    otherSpelling?: boolean;
  }
}

/** Spellings the DevPayr face serves itself: the devkit's route there is for devkit callers only. */
const DEVPAYR_SPELLINGS = new Set(['GET /api/v1/projects']);

const FACE_CONSTRAINT = 'callerFace';

/** 'devkit' for a request that carries only the devkit's credentials; undefined otherwise. */
function callerFace(request: { headers: FastifyRequest['headers'] }): string | undefined {
  const h = request.headers;
  return h['x-api-key'] === undefined && (h.authorization !== undefined || h['x-developer-key'] !== undefined)
    ? 'devkit'
    : undefined;
}

/** Call in the devkit face before its routes: each route is then also served at its other spelling. */
export function serveBothSpellings(app: App): void {
  app.addConstraintStrategy({
    name: FACE_CONSTRAINT,
    storage: () => {
      const byValue = new Map();
      return {
        get: (value) => byValue.get(value) ?? null,
        set: (value, handler) => void byValue.set(value, handler),
      };
    },
    deriveConstraint: callerFace,
    mustMatchWhenDerived: false,
  });

  app.addHook('onRoute', function (this: App, route: RouteOptions) {
    // The alias itself; HEAD, which Fastify adds to each GET (the alias gets its own); wildcards.
    if (route.config?.otherSpelling || route.method === 'HEAD' || route.url === '/' || route.url.includes('*')) return;
    const other = route.url.endsWith('/') ? route.url.slice(0, -1) : `${route.url}/`;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const shared = methods.some((m) => DEVPAYR_SPELLINGS.has(`${m} ${other}`));
    this.route({
      ...route,
      url: other,
      config: { ...route.config, otherSpelling: true },
      schema: { ...route.schema, hide: true },
      ...(shared ? { constraints: { ...route.constraints, [FACE_CONSTRAINT]: 'devkit' } } : {}),
    });
  });
}
