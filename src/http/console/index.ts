import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { Unauthenticated } from '../../core/errors.js';
import { asDeveloper, type Developer } from '../auth.js';
import type { App } from '../typed.js';
import { accountRoutes } from './account.js';
import { endUserRoutes } from './end-users.js';
import { consoleError, sendConsoleError } from './errors.js';
import { generationRoutes } from './generations.js';
import { operatorRoutes } from './operator.js';
import { paymentRoutes } from './payments.js';
import { projectRoutes } from './projects.js';
import { securityHeaders } from './security.js';
import { webhookRoutes } from './webhooks.js';
import type { ConsoleSession } from './sessions.js';

/** The session of a route declared with a console credential (the credential has refused everyone else). */
export function sessionOf(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw Unauthenticated('not_signed_in', 'Please sign in.');
  return request.consoleSession;
}
/** Console routes declared `consoleDeveloper`: the developer principal the credential resolved. */
export const developerOf = (request: FastifyRequest): Developer => asDeveloper(request);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** dist/console beside the compiled server (dist/src/http/console → dist/console) or under the project root (tsx). */
export function consoleDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [path.resolve(here, '../../../console'), path.resolve(here, '../../../dist/console')]) {
    // Only a build output (…/dist/console), never the source folder console/ beside src/.
    if (path.basename(path.dirname(dir)) === 'dist' && fs.existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return null;
}

/** The built files, read once: a few small files, served from memory. */
function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const body = fs.readFileSync(full);
        const rel = path.relative(dir, full).split(path.sep).join('/');
        out.set(rel, { body, type: TYPES[path.extname(full)] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
      }
    }
  };
  walk(dir);
  return out;
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, immutable: boolean): FastifyReply {
  reply.header('content-type', asset.type);
  reply.header('etag', asset.etag);
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

/**
 * The console: the single-page app at /console and its JSON API at /console/api (a third face
 * beside devkit and devpayr, calling the same core). Only here is the session cookie read.
 */
export async function consoleFace(app: App, opts: { ctx: Context }): Promise<void> {
  const { ctx } = opts;
  app.setErrorHandler((err, request, reply) => sendConsoleError(err, request, reply));
  app.decorateRequest('consoleSession', null);

  // Credentials are resolved by the pipeline's hook (the console* entries of http/auth.ts); this
  // one only sets the headers every console answer carries.
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(reply);
    if (request.url.startsWith('/console/api/')) reply.header('cache-control', 'no-store');
    done();
  });

  accountRoutes(app, ctx);
  projectRoutes(app, ctx);
  generationRoutes(app, ctx);
  paymentRoutes(app, ctx);
  endUserRoutes(app, ctx);
  operatorRoutes(app, ctx);
  webhookRoutes(app, ctx);

  app.all('/console/api/*', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.code(404).send(consoleError('not_found', 'No such console API route.')),
  );

  const dir = consoleDir();
  const assets = dir ? loadAssets(dir) : new Map<string, Asset>();
  const index = assets.get('index.html');
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console has not been built. Run `npm run build` (npm install and npm start do it for you).');
    }
    return sendAsset(request, reply, index, false);
  };
  app.get('/console', { config: { auth: 'public' }, schema: { hide: true } }, page);
  app.get('/console/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const asset = assets.get(rest);
    if (asset && rest !== 'index.html') return sendAsset(request, reply, asset, rest.startsWith('assets/'));
    if (rest.startsWith('assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return page(request, reply);
  });
}
