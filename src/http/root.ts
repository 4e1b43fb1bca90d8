import sharp from 'sharp';
import type { Context } from '../context.js';
import { FAVICON_SVG } from './mark.js';
import type { App } from './typed.js';

/**
 * An ICO file holding one PNG (Windows Vista and every browser read that): the ICONDIR header
 * and its one ICONDIRENTRY, then the PNG. Browsers ask for /favicon.ico on their own before
 * reading any page, so it is served even where a page links the SVG.
 */
export function icoOfPng(png: Buffer, size: number): Buffer {
  const head = Buffer.alloc(22);
  head.writeUInt16LE(0, 0); // reserved
  head.writeUInt16LE(1, 2); // 1: an icon
  head.writeUInt16LE(1, 4); // one image
  head.writeUInt8(size % 256, 6); // width (0 means 256)
  head.writeUInt8(size % 256, 7); // height
  head.writeUInt16LE(1, 10); // colour planes
  head.writeUInt16LE(32, 12); // bits per pixel
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18); // where the image starts
  return Buffer.concat([head, png]);
}

/** Drawn once, on the first request, from the same SVG as /favicon.svg (no binary kept in the repository). */
let ico: Promise<Buffer> | null = null;
const faviconIco = () =>
  (ico ??= sharp(Buffer.from(FAVICON_SVG), { density: 72 * (32 / 40) })
    .resize(32, 32)
    .png()
    .toBuffer()
    .then((png) => icoOfPng(png, 32)));

const ICON_CACHE = 'public, max-age=86400';

/** What lives at the root: the index of where things are, and the icon. */
export function rootRoutes(app: App, ctx: Context): void {
  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'Tollgate',
    version: ctx.config.version,
    docs: '/docs',
    openapi: '/docs/json',
    console: '/console',
  }));
  app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', ICON_CACHE).send(FAVICON_SVG),
  );
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('image/x-icon')
      .header('cache-control', ICON_CACHE)
      .send(await faviconIco()),
  );
}
