import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';

const HEALTH_ROUTES = [
  '/health',
  '/api/v1/health',
  '/api/v1/health/database',
  '/api/v1/health/redis',
  '/api/v1/health/storage',
  '/api/v1/health/detailed',
];

forEachDatabase('devkit health', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s.close());

  it('answers every health route without credentials, with a timestamp', async () => {
    for (const route of HEALTH_ROUTES) {
      const res = await s.request('GET', route);
      expect(res.status, route).toBe(200);
      expect(res.body.status, route).toMatch(/^(healthy|not_configured)$/);
      expect(Number.isNaN(Date.parse(res.body.timestamp)), route).toBe(false);
    }
  });

  it('reports the real database, and Redis as not configured when REDIS_URL is unset', async () => {
    const res = await s.request('GET', '/api/v1/health');
    expect(res.body).toMatchObject({
      status: 'healthy',
      database: { status: 'healthy', connection: kind === 'postgres' ? 'postgresql' : 'sqlite' },
      redis: { status: 'not_configured' },
      file_storage: { status: 'healthy', writable: true },
      storage: { status: 'healthy', writable: true },
    });
    expect(res.body.database.version).toMatch(kind === 'postgres' ? /^PostgreSQL \d+/ : /^SQLite 3\./);
    const detailed = await s.request('GET', '/api/v1/health/detailed');
    expect(detailed.body.system).toMatchObject({ node: process.version, platform: process.platform });
  });

  it('sends a request id on every answer, errors included', async () => {
    const ok = await s.request('GET', '/api/v1/health');
    const missing = await s.request('GET', '/api/v1/no-such-route');
    const refused = await s.request('GET', '/api/v1/projects/');
    const ids = [ok, missing, refused].map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+-[0-9a-z]+$/);
    expect(new Set(ids).size).toBe(3);
    expect(missing.body).toEqual({ detail: 'Not Found' });
    expect(refused.status).toBeGreaterThanOrEqual(401);
  });
});

/** A Redis of our own on a free port, so the test can stop it. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer)
  console.log('[tollgate tests] redis-server not installed: the Redis outage health test is skipped.');

(hasRedisServer ? describe : describe.skip)('devkit health with Redis', () => {
  let redis: ChildProcess;
  let s: TestServer;
  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        s = await startServer('sqlite', { env: { REDIS_URL: url } });
        break;
      } catch (err) {
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  afterAll(async () => {
    redis.kill('SIGKILL');
    await s.close();
  });

  it('reports Redis healthy while it runs, and unhealthy (503 overall) once it is gone', async () => {
    expect((await s.request('GET', '/api/v1/health/redis')).body).toMatchObject({ status: 'healthy', type: 'redis' });
    expect((await s.request('GET', '/api/v1/health')).status).toBe(200);

    await new Promise<void>((resolve) => {
      redis.once('exit', () => resolve());
      redis.kill('SIGKILL');
    });
    const r = await s.request('GET', '/api/v1/health/redis');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'unhealthy', type: 'redis', connection_failed: true });
    expect(r.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const overall = await s.request('GET', '/api/v1/health');
    expect(overall.status).toBe(503);
    expect(overall.body).toMatchObject({
      status: 'unhealthy',
      database: { status: 'healthy' },
      redis: { status: 'unhealthy' },
    });

    // Rate-limited routes keep working, counted in this process, with their headers.
    const login = await s.request('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.com', password: 'Wrong-password-1' },
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('x-ratelimit-limit')).not.toBeNull();
  });
});
