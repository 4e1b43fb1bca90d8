import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { FAVICON_SVG, LOGO } from './mark.js';

/** /docs as Tollgate's page: its name in the title and its mark in the top bar, not the framework's. */
export const docsPage: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  logo: { type: 'image/svg+xml', content: Buffer.from(LOGO), href: '/docs', target: '_self' },
  theme: {
    title: 'Tollgate API reference',
    favicon: [
      { filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(FAVICON_SVG) },
    ],
  },
};
