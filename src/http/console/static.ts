import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../typed.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The copies the build writes beside a file (console/precompress.ts), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
type Encoding = (typeof ENCODINGS)[number]['name'];

/** One representation of a file: its bytes and their ETag (each encoding has its own, as RFC 9110 asks). */
interface Representation {
  body: Buffer;
  etag: string;
}
interface Asset {
  type: string;
  identity: Representation;
  encoded: Partial<Record<Encoding, Representation>>;
}

const representation = (body: Buffer): Representation => ({
  body,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

/** dist/console beside the compiled server (dist/src/http/console → dist/console) or under the project root (tsx). */
export function consoleDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [path.resolve(here, '../../../console'), path.resolve(here, '../../../dist/console')]) {
    // Only a build output (…/dist/console), never the source folder console/ beside src/.
    if (path.basename(path.dirname(dir)) === 'dist' && fs.existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return null;
}

/** The built files, read once: a few small files, served from memory. A compressed copy is not a file of its own. */
function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!ENCODINGS.some((e) => full.endsWith(e.suffix))) {
        const rel = path.relative(dir, full).split(path.sep).join('/');
        const encoded: Asset['encoded'] = {};
        for (const e of ENCODINGS)
          if (fs.existsSync(full + e.suffix)) encoded[e.name] = representation(fs.readFileSync(full + e.suffix));
        out.set(rel, {
          type: TYPES[path.extname(full)] ?? 'application/octet-stream',
          identity: representation(fs.readFileSync(full)),
          encoded,
        });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Sends the best representation the client accepts. Hashed assets (their name changes with
 * their content) are cached for a year; the page is revalidated every time, so a new build's
 * asset names reach the browser at once.
 */
function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, immutable: boolean): FastifyReply {
  const offered = ENCODINGS.map((e) => e.name).filter((e) => asset.encoded[e]);
  const accepted = request.headers['accept-encoding'];
  const encoding = offered.length && accepted ? (negotiate(accepted, offered) as Encoding | null) : null;
  const chosen = (encoding && asset.encoded[encoding]) || asset.identity;
  reply.header('content-type', asset.type);
  if (offered.length) {
    const vary = reply.getHeader('vary');
    reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  }
  if (encoding) reply.header('content-encoding', encoding);
  reply.header('etag', chosen.etag);
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === chosen.etag) return reply.code(304).send();
  return reply.send(chosen.body);
}

/** The single-page app at /console: its hashed assets, and the page itself for every other path (deep links). */
export function staticRoutes(app: App): void {
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
