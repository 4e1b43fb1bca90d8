import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';

forEachDatabase('devkit projects list/get/update/delete', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('lists, reads, updates and deletes only the caller’s projects', async () => {
    const dev = await seedDeveloper(s.ctx);
    const other = await seedDeveloper(s.ctx);
    const p = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Mine' } })).body;
    await s.request('POST', '/api/v1/projects/', { headers: other.headers, body: { name: 'Theirs' } });

    const list = await s.request('GET', '/api/v1/projects/', { headers: dev.headers });
    expect(list.status).toBe(200);
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['Mine']);
    expect(list.headers.get('x-ratelimit-limit')).toBe('1000');

    const updated = await s.request('PUT', `/api/v1/projects/${p.id}`, {
      headers: dev.headers,
      body: { description: 'Now described' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Mine', description: 'Now described' });
    expect(updated.body.updated_at).not.toBeNull();

    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { name: 'Stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const r = await s.request(method, `/api/v1/projects/${p.id}`, { headers: other.headers, body });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'Project not found' });
    }
    expect((await s.request('GET', '/api/v1/projects/not-a-uuid', { headers: dev.headers })).status).toBe(404);
    expect(
      (await s.request('PUT', `/api/v1/projects/${p.id}`, { headers: dev.headers, body: { name: 'ab', extra: 1 } }))
        .status,
    ).toBe(422);

    expect((await s.request('DELETE', `/api/v1/projects/${p.id}`, { headers: dev.headers })).status).toBe(204);
    expect((await s.request('GET', `/api/v1/projects/${p.id}`, { headers: dev.headers })).status).toBe(404);
  });

  it('refuses missing or wrong credentials with the documented answers', async () => {
    const dev = await seedDeveloper(s.ctx);
    expect(await s.request('GET', '/api/v1/projects/')).toMatchObject({
      status: 401,
      body: { detail: 'Could not validate credentials' },
    });
    const noRole = { authorization: dev.headers.authorization!, 'x-developer-key': dev.developerKey };
    expect(await s.request('GET', '/api/v1/projects/', { headers: noRole })).toMatchObject({
      status: 403,
      body: { detail: 'X-User-Role header is required' },
    });
    expect(
      await s.request('GET', '/api/v1/projects/', { headers: { ...dev.headers, 'x-user-role': 'end_user' } }),
    ).toMatchObject({
      status: 403,
      body: { detail: 'Insufficient permissions. Developer role required.' },
    });
    const other = await seedDeveloper(s.ctx);
    expect(
      await s.request('GET', '/api/v1/projects/', {
        headers: { ...dev.headers, 'x-developer-key': other.developerKey },
      }),
    ).toMatchObject({
      status: 403,
      body: { detail: 'Invalid or revoked developer key' },
    });
    await s.ctx.db.updateTable('api_keys').set({ is_active: false }).where('id', '=', dev.developerKeyId).execute();
    expect((await s.request('GET', '/api/v1/projects/', { headers: dev.headers })).status).toBe(403);
  });
});
