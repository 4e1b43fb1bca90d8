import os from 'node:os';
import { Type } from '@sinclair/typebox';
import { databaseHealth, redisHealth, storageHealth } from '../../core/stats/instance-health.js';
import type { Context } from '../../context.js';
import type { Routes } from '../typed.js';

const Component = Type.Object({}, { additionalProperties: true });
const HealthCheck = Type.Object({
  status: Type.String(),
  database: Component,
  file_storage: Component,
  storage: Component,
  redis: Component,
  timestamp: Type.String(),
  version: Type.Union([Type.String(), Type.Null()]),
});

async function overall(ctx: Context) {
  const [db, r, s] = await Promise.all([databaseHealth(ctx), redisHealth(ctx), storageHealth(ctx)]);
  const bad = [db, r, s].some((c) => c.status === 'unhealthy');
  return {
    status: bad ? 'unhealthy' : 'healthy',
    database: db,
    // openapi.json names it file_storage, the reference page (health/check.mdx) storage: both are sent.
    file_storage: s,
    storage: s,
    redis: r,
    timestamp: ctx.clock.now().toISOString(),
    version: ctx.config.version,
  };
}

export const healthRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: health'];
  for (const url of ['/health', '/api/v1/health']) {
    app.get(
      url,
      {
        config: { auth: 'public' },
        schema: { tags, summary: 'Overall health', response: { 200: HealthCheck, 503: HealthCheck } },
      },
      async (_req, reply) => {
        const body = await overall(ctx);
        return reply.code(body.status === 'healthy' ? 200 : 503).send(body);
      },
    );
  }
  app.get(
    '/api/v1/health/database',
    { config: { auth: 'public' }, schema: { tags, summary: 'Database health' } },
    async () => databaseHealth(ctx),
  );
  app.get('/api/v1/health/redis', { config: { auth: 'public' }, schema: { tags, summary: 'Redis health' } }, async () =>
    redisHealth(ctx),
  );
  app.get(
    '/api/v1/health/storage',
    { config: { auth: 'public' }, schema: { tags, summary: 'Storage health' } },
    async () => storageHealth(ctx),
  );
  app.get(
    '/api/v1/health/detailed',
    { config: { auth: 'public' }, schema: { tags, summary: 'Health with system details' } },
    async () => ({
      ...(await overall(ctx)),
      system: {
        platform: process.platform,
        node: process.version,
        uptime_seconds: Math.round(process.uptime()),
        memory_rss_bytes: process.memoryUsage().rss,
        load_average: os.loadavg(),
        cpus: os.cpus().length,
      },
    }),
  );
};
