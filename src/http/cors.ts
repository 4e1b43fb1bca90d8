import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { faceOfPath } from './pipeline.js';

/** The two runtime routes: what delivered software calls from any page (specs/devpayr.md, CORS). */
export const RUNTIME_PATHS = new Set(['/api/v1/project/has-paid', '/api/v1/injectable/stream']);

/** specs/devpayr.md: any origin, these methods and headers, no cookies. */
export const RUNTIME_CORS = {
  origin: '*',
  methods: ['GET', 'POST', 'OPTIONS'],
  allowedHeaders: ['X-LICENSE-KEY', 'X-Devpayr-Domain', 'X-Requested-With', 'Content-Type', 'Accept'],
  maxAge: 600,
} satisfies FastifyCorsOptions;

/**
 * What a non-preflight runtime answer carries through the plugin (options chosen per request
 * add `Vary: Origin`); the fast lane (devpayr/runtime.ts) writes the same itself.
 */
export const RUNTIME_CORS_HEADERS = { vary: 'Origin', 'access-control-allow-origin': '*' } as const;

/**
 * CORS for both faces through @fastify/cors, options chosen by path: the runtime routes
 * allow any origin (RUNTIME_CORS); the devkit face, called directly by browser clients (the
 * Starter Kit's pages) with bearer tokens and no cookies, allows any origin unless
 * CORS_ORIGINS lists the allowed ones; the devpayr management routes (X-API-KEY, called
 * from the vendor's servers) allow none, as the spec has it.
 */
export async function registerCors(app: FastifyInstance, config: Pick<Config, 'corsOrigins'>): Promise<void> {
  const devkit: FastifyCorsOptions = {
    origin: config.corsOrigins ?? '*',
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Accept',
      'X-User-Role',
      'X-Developer-Key',
      'X-Project-ID',
      'X-API-Key',
      'X-Operator-Key',
      'X-Requested-With',
    ],
    exposedHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'],
    maxAge: 600,
  };
  const none: FastifyCorsOptions = { origin: false };
  await app.register(cors, {
    hook: 'onRequest',
    delegator: (req, callback) => {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      callback(null, RUNTIME_PATHS.has(path) ? RUNTIME_CORS : faceOfPath(path) === 'devpayr' ? none : devkit);
    },
  });
}
