import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { ROUTES } from '../support/routes.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

/**
 * Devkit paths answer with and without their trailing slash, as the FastAPI service the devkit
 * spec describes does (src/http/devkit/trailing-slash.ts); `GET /api/v1/projects` stays the
 * DevPayr SDKs' list unless the request carries only devkit credentials. SQLite only: routing.
 */
let s: TestServer;
let dev: SeededDeveloper;
beforeAll(async () => {
  s = await startServer('sqlite', { env: { RATE_LIMIT: 'false' } });
  dev = await seedDeveloper(s.ctx);
});
afterAll(() => s.close());

const other = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : `${path}/`);
const ID = '0190a0b0-0000-7000-8000-000000000000';

it('POST /api/v1/projects (no slash) creates a devkit project, as POST /api/v1/projects/ does', async () => {
  const created = await s.request('POST', '/api/v1/projects', { headers: dev.headers, body: { name: 'No slash' } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'No slash', owner_id: dev.userId });
  const listed = await s.request('GET', '/api/v1/projects/', { headers: dev.headers });
  expect(listed.body.map((p: { id: string }) => p.id)).toContain(created.body.id);
  // Refused in the devkit's format, not the DevPayr face's 404.
  const anonymous = await s.request('POST', '/api/v1/projects', { body: { name: 'No slash' } });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toEqual({ detail: 'Could not validate credentials' });
});

it('GET /api/v1/projects: the devkit list for devkit credentials, the DevPayr list for X-API-KEY or none', async () => {
  const devkit = await s.request('GET', '/api/v1/projects', { headers: dev.headers });
  expect(devkit.status).toBe(200);
  expect(Array.isArray(devkit.body)).toBe(true);
  expect(devkit.body).toEqual((await s.request('GET', '/api/v1/projects/', { headers: dev.headers })).body);
  // A developer key alone (the reference pages' developer-scoped fetch) is a devkit caller too: refused in its format.
  const keyOnly = await s.request('GET', '/api/v1/projects', {
    headers: { 'x-developer-key': dev.developerKey, 'x-user-role': 'developer' },
  });
  expect(keyOnly.status).toBe(401);
  expect(keyOnly.body).toHaveProperty('detail');

  const devpayr = await s.request('GET', '/api/v1/projects', { headers: dev.apiKeyHeaders });
  expect(devpayr.status).toBe(200);
  expect(devpayr.body).toMatchObject({ status: 'success', data: { data: expect.any(Array) } });
  // X-API-KEY wins whatever else is sent: the DevPayr SDKs' call is never taken from them.
  const both = await s.request('GET', '/api/v1/projects', { headers: { ...dev.headers, ...dev.apiKeyHeaders } });
  expect(both.body.status).toBe('success');
  const none = await s.request('GET', '/api/v1/projects');
  expect(none.status).toBe(401);
  expect(none.body).toMatchObject({ status: 'error', message: 'Missing required X-API-KEY header.' });
});

it('every devkit route answers at its other spelling as at its own', async () => {
  const devkit = ROUTES.filter((r) => r.face === 'devkit' && !(r.method === 'GET' && r.path === '/api/v1/projects/'));
  expect(devkit.length).toBeGreaterThan(50);
  const differ: string[] = [];
  for (const route of devkit) {
    const path = route.path.replace(/:[a-z_]+/g, ID);
    // Without a credential: the same refusal, in the devkit's format, before any id is looked up.
    const own = await s.request(route.method, path, { body: route.body });
    const alias = await s.request(route.method, other(path), { body: route.body });
    if (alias.status !== own.status || JSON.stringify(alias.body) !== JSON.stringify(own.body))
      differ.push(`${route.method} ${other(path)}: ${alias.status} ${alias.text.slice(0, 80)}`);
  }
  // And public ones, with a credential or none.
  for (const [method, path] of [
    ['GET', '/api/v1/health'],
    ['POST', '/api/v1/auth/login'],
    ['GET', '/api/v1/generation/public-generations-v2'],
  ]) {
    const own = await s.request(method!, path!, { body: method === 'POST' ? {} : undefined });
    const alias = await s.request(method!, other(path!), { body: method === 'POST' ? {} : undefined });
    if (alias.status !== own.status)
      differ.push(`${method} ${other(path!)}: ${alias.status} ${alias.text.slice(0, 80)}`);
  }
  expect(differ).toEqual([]);
});

it('/docs lists each route once, at its declared spelling', async () => {
  const doc = (await s.request('GET', '/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
  expect(Object.keys(doc.paths['/api/v1/projects/']!).sort()).toEqual(['get', 'post']);
  expect(Object.keys(doc.paths['/api/v1/projects']!)).toEqual(['get']);
  expect(doc.paths['/api/v1/auth/me/']).toBeUndefined();
});
