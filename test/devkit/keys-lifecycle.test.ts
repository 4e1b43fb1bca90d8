import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';

forEachDatabase('devkit key lifecycle: limits under parallel creates, revocation on both faces', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('creates developer keys up to 10 active, lists without secrets, revokes', async () => {
    const dev = await seedDeveloper(s.ctx);
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.request('POST', '/api/v1/auth/developer-keys', { headers: dev.headers, body: { name: `k${i}` } }),
      ),
    );
    expect(created.filter((r) => r.status === 201)).toHaveLength(9); // the seed key is the 10th
    const refused = created.find((r) => r.status === 403)!;
    expect(refused.body).toEqual({
      detail: 'Maximum number of developer keys (10) reached. Please revoke unused keys.',
    });
    const one = created.find((r) => r.status === 201)!.body;
    expect(one.key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
    expect(one.key_prefix).toBe(one.key.slice(0, 8));

    const list = await s.request('GET', '/api/v1/auth/developer-keys', { headers: dev.headers });
    expect(list.body).toHaveLength(10);
    expect(list.text).not.toContain(one.key);

    expect(
      await s.request('DELETE', `/api/v1/auth/developer-keys/${dev.developerKeyId}`, { headers: dev.headers }),
    ).toMatchObject({
      status: 403,
      body: { detail: 'Cannot revoke the developer key currently being used for authentication' },
    });
    expect((await s.request('DELETE', `/api/v1/auth/developer-keys/${one.id}`, { headers: dev.headers })).status).toBe(
      204,
    );
    expect((await s.request('DELETE', `/api/v1/auth/developer-keys/${one.id}`, { headers: dev.headers })).body).toEqual(
      { detail: 'Developer key is already revoked or inactive' },
    );
    const other = await seedDeveloper(s.ctx);
    expect(
      await s.request('DELETE', `/api/v1/auth/developer-keys/${dev.developerKeyId}`, { headers: other.headers }),
    ).toMatchObject({ status: 404, body: { detail: 'Developer key not found' } });
    // A revoked developer key no longer authenticates, on either face.
    const revoked = { ...dev.headers, 'x-developer-key': one.key };
    expect((await s.request('GET', '/api/v1/projects/', { headers: revoked })).status).toBe(403);
    expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': one.key } })).status).toBe(403);
  });

  it('limits project API keys per tier and keeps them inside their project', async () => {
    const dev = await seedDeveloper(s.ctx);
    const other = await seedDeveloper(s.ctx);
    const project = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Keyed' } }))
      .body;
    const base = `/api/v1/projects/${project.id}/api-keys`;
    const made = await Promise.all(
      Array.from({ length: 5 }, () => s.request('POST', base, { headers: dev.headers, body: {} })),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(3);
    expect((await s.request('GET', base, { headers: dev.headers })).body).toHaveLength(3);
    expect(await s.request('GET', base, { headers: other.headers })).toMatchObject({
      status: 404,
      body: { detail: 'Project not found' },
    });
    const key = made.find((r) => r.status === 201)!.body;
    expect((await s.request('DELETE', `${base}/${key.id}`, { headers: other.headers })).status).toBe(404);
    expect(
      (await s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': key.key } })).status,
    ).toBe(200);
    expect((await s.request('DELETE', `${base}/${key.id}`, { headers: dev.headers })).status).toBe(204);
    expect(
      (await s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': key.key } })).status,
    ).toBe(403);
    expect((await s.request('POST', base, { headers: dev.headers, body: { name: 5 } })).status).toBe(422);
  });
});
