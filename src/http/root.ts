import type { Context } from '../context.js';
import type { App } from './typed.js';

/** What lives at the root: the index of where things are. */
export function rootRoutes(app: App, ctx: Context): void {
  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'Tollgate',
    version: ctx.config.version,
    docs: '/docs',
    openapi: '/docs/json',
    console: '/console',
  }));
}
