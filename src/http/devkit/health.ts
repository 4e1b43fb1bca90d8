import os from 'node:os';
import fs from 'node:fs';
import { Type } from '@sinclair/typebox';
import { databaseVersion } from '../../db/database.js';
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

async function database(ctx: Context) {
  const timestamp = ctx.clock.now().toISOString();
  try {
    const version = await databaseVersion(ctx.db, ctx.dialect);
    return { status: 'healthy', version, connection: ctx.dialect === 'postgres' ? 'postgresql' : 'sqlite', timestamp };
  } catch {
    // The driver's error text may name hosts or users: it stays in the log.
    ctx.log.warn('database health check failed');
    return { status: 'unhealthy', connection: ctx.dialect, error: 'Database is not reachable', timestamp };
  }
}

async function redis(ctx: Context) {
  const timestamp = ctx.clock.now().toISOString();
  if (!ctx.redis) return { status: 'not_configured', type: 'memory', timestamp };
  try {
    await ctx.redis.ping();
    return { status: 'healthy', type: 'redis', listening: true, connection_failed: false, timestamp };
  } catch {
    return { status: 'unhealthy', type: 'redis', connection_failed: true, error: 'Redis is not reachable', timestamp };
  }
}

function storage(ctx: Context) {
  const timestamp = ctx.clock.now().toISOString();
  let writable = false;
  try {
    fs.accessSync(ctx.config.dataDir, fs.constants.W_OK);
    writable = true;
  } catch {
    writable = false;
  }
  return { status: writable ? 'healthy' : 'unhealthy', type: 'local', writable, accessible: writable, timestamp };
}

async function overall(ctx: Context) {
  const [db, r] = await Promise.all([database(ctx), redis(ctx)]);
  const s = storage(ctx);
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
    app.get(url, { config: { auth: 'public' }, schema: { tags, summary: 'Overall health', response: { 200: HealthCheck, 503: HealthCheck } } }, async (_req, reply) => {
      const body = await overall(ctx);
      return reply.code(body.status === 'healthy' ? 200 : 503).send(body);
    });
  }
  app.get('/api/v1/health/database', { config: { auth: 'public' }, schema: { tags, summary: 'Database health' } }, async () => database(ctx));
  app.get('/api/v1/health/redis', { config: { auth: 'public' }, schema: { tags, summary: 'Redis health' } }, async () => redis(ctx));
  app.get('/api/v1/health/storage', { config: { auth: 'public' }, schema: { tags, summary: 'Storage health' } }, async () => storage(ctx));
  app.get('/api/v1/health/detailed', { config: { auth: 'public' }, schema: { tags, summary: 'Health with system details' } }, async () => ({
    ...(await overall(ctx)),
    system: {
      platform: process.platform,
      node: process.version,
      uptime_seconds: Math.round(process.uptime()),
      memory_rss_bytes: process.memoryUsage().rss,
      load_average: os.loadavg(),
      cpus: os.cpus().length,
    },
  }));
};
