import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, seedOperator, uniqueEmail } from '../support/seed.js';

const NO_GENERATIONS = { total: 0, pending: 0, processing: 0, completed: 0, failed: 0 };

forEachDatabase('devkit stats, user listings and tiers', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('counts and lists only the caller’s projects and end users', async () => {
    const dev = await seedDeveloper(s.ctx);
    const other = await seedDeveloper(s.ctx);
    const p = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Counted' } })).body;
    await s.request('POST', '/api/v1/projects/', { headers: other.headers, body: { name: 'Elsewhere' } });
    for (const name of ['Ann', 'Bob', 'Cid']) {
      const r = await s.request('POST', '/api/v1/auth/register', {
        headers: { 'x-developer-key': dev.developerKey, 'x-project-id': p.id },
        body: { email: uniqueEmail(name.toLowerCase()), password: 'SecurePass123', full_name: name },
      });
      expect(r.status).toBe(201);
    }
    await s.request('POST', `/api/v1/projects/${p.id}/api-keys`, { headers: dev.headers, body: { name: 'k' } });

    const global = await s.request('GET', '/api/v1/projects/stats', { headers: dev.headers });
    expect(global.body).toEqual({
      projects: { total: 1, active: 1 },
      users: { total: 3, active: 3 },
      api_keys: { total: 1, active: 1 },
      generations: NO_GENERATIONS,
    });
    const one = await s.request('GET', `/api/v1/projects/${p.id}/stats`, { headers: dev.headers });
    expect(one.body).toEqual({
      users: { total: 3, active: 3 },
      api_keys: { total: 1, active: 1 },
      generations: NO_GENERATIONS,
    });
    expect((await s.request('GET', `/api/v1/projects/${p.id}/stats`, { headers: other.headers })).status).toBe(404);

    const page = await s.request('GET', '/api/v1/projects/users?page=2&page_size=2', { headers: dev.headers });
    expect(page.body).toMatchObject({ total: 3, page: 2, page_size: 2 });
    expect(page.body.users).toHaveLength(1);
    expect(page.body.users[0]).toMatchObject({ project_id: p.id, project_name: 'Counted' });
    const search = await s.request('GET', `/api/v1/projects/${p.id}/users?search=bo`, { headers: dev.headers });
    expect(search.body.users.map((u: { full_name: string }) => u.full_name)).toEqual(['Bob']);
    expect((await s.request('GET', '/api/v1/projects/users', { headers: other.headers })).body.total).toBe(0);
    expect((await s.request('GET', '/api/v1/projects/users?page_size=1000', { headers: dev.headers })).status).toBe(
      422,
    );
  });

  it('lets an operator raise a tier, which lifts the project limit', async () => {
    const op = await seedOperator(s.ctx);
    const dev = await seedDeveloper(s.ctx);
    for (let i = 0; i < 5; i++)
      await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: `Tier ${i}` } });
    expect(
      (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Tier 5' } })).status,
    ).toBe(403);
    expect(
      (
        await s.request('PUT', `/api/v1/operator/developers/${dev.userId}/tier`, {
          headers: dev.headers,
          body: { tier: 'cloud_starter' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await s.request('PUT', `/api/v1/operator/developers/${dev.userId}/tier`, {
          headers: op.headers,
          body: { tier: 'gold' },
        })
      ).status,
    ).toBe(422);
    const up = await s.request('PUT', `/api/v1/operator/developers/${encodeURIComponent(dev.email)}/tier`, {
      headers: op.headers,
      body: { tier: 'cloud_starter' },
    });
    expect(up.body).toMatchObject({ id: dev.userId, tier: 'cloud_starter' });
    expect(
      (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Tier 5' } })).status,
    ).toBe(201);
  });
});
