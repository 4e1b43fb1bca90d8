import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

forEachDatabase('devkit project API keys', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  const newProject = async (dev: SeededDeveloper, name: string) =>
    (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name } })).body as { id: string };
  const keysOf = (projectId: string) => `/api/v1/projects/${projectId}/api-keys`;

  describe('happy paths', () => {
    it('creates, lists and revokes a key as the reference pages show', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = await newProject(dev, 'Keyed');
      const res = await s.request('POST', keysOf(project.id), {
        headers: dev.headers,
        body: { name: 'Production API Key' },
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([
        'created_at',
        'id',
        'is_active',
        'key',
        'key_prefix',
        'last_used_at',
        'name',
        'project_id',
      ]);
      expect(res.body).toMatchObject({
        name: 'Production API Key',
        project_id: project.id,
        is_active: true,
        last_used_at: null,
      });
      expect(res.body.key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
      expect(res.body.key_prefix).toBe(res.body.key.slice(0, 8));

      const list = await s.request('GET', keysOf(project.id), { headers: dev.headers });
      expect(list.status).toBe(200);
      expect(list.body).toEqual([
        {
          id: res.body.id,
          name: 'Production API Key',
          key_prefix: res.body.key_prefix,
          project_id: project.id,
          is_active: true,
          last_used_at: null,
          created_at: res.body.created_at,
        },
      ]);
      expect(list.text).not.toContain(res.body.key);

      // The key is a project-scoped key on the devpayr face, until revoked.
      expect(
        (await s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': res.body.key } })).status,
      ).toBe(200);
      const del = await s.request('DELETE', `${keysOf(project.id)}/${res.body.id}`, { headers: dev.headers });
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(
        (await s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': res.body.key } })).status,
      ).toBe(403);
      expect((await s.request('GET', keysOf(project.id), { headers: dev.headers })).body).toEqual([]);
    });

    it('accepts a missing, empty or null body (the name is optional)', async () => {
      const dev = await seedDeveloper(s.ctx, { tier: 'cloud_starter' });
      const project = await newProject(dev, 'Unnamed');
      for (const opts of [{ body: {} }, { body: null }, { body: { name: null } }, {}]) {
        const res = await s.request('POST', keysOf(project.id), { headers: dev.headers, ...opts });
        expect(res.status).toBe(201);
        expect(res.body.name).toBeNull();
      }
    });
  });

  describe('tier limits', () => {
    it('holds Free Starter at 3 active keys per project under parallel creates; revoking frees a slot', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = await newProject(dev, 'Crowded');
      const other = await newProject(dev, 'Other');
      const made = await Promise.all(
        Array.from({ length: 8 }, () => s.request('POST', keysOf(project.id), { headers: dev.headers, body: {} })),
      );
      expect(made.filter((r) => r.status === 201)).toHaveLength(3);
      for (const r of made.filter((x) => x.status !== 201)) {
        expect(r).toMatchObject({
          status: 403,
          body: {
            detail:
              'Maximum number of API keys (3) reached for this project on your subscription tier. Revoke unused keys or upgrade.',
          },
        });
      }
      // Per project, not per account.
      expect((await s.request('POST', keysOf(other.id), { headers: dev.headers, body: {} })).status).toBe(201);
      const one = made.find((r) => r.status === 201)!.body;
      await s.request('DELETE', `${keysOf(project.id)}/${one.id}`, { headers: dev.headers });
      expect((await s.request('POST', keysOf(project.id), { headers: dev.headers, body: {} })).status).toBe(201);
      expect((await s.request('POST', keysOf(project.id), { headers: dev.headers, body: {} })).status).toBe(403);
    });

    it('allows 10 on Cloud Starter and no limit on Cloud Premium', async () => {
      const starter = await seedDeveloper(s.ctx, { tier: 'cloud_starter' });
      const p1 = await newProject(starter, 'Starter');
      const r1 = await Promise.all(
        Array.from({ length: 12 }, () => s.request('POST', keysOf(p1.id), { headers: starter.headers, body: {} })),
      );
      expect(r1.filter((r) => r.status === 201)).toHaveLength(10);
      const premium = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
      const p2 = await newProject(premium, 'Premium');
      const r2 = await Promise.all(
        Array.from({ length: 12 }, () => s.request('POST', keysOf(p2.id), { headers: premium.headers, body: {} })),
      );
      expect(r2.filter((r) => r.status === 201)).toHaveLength(12);
    });
  });

  describe('errors and isolation', () => {
    it("keeps another developer's project and keys out of reach (404)", async () => {
      const a = await seedDeveloper(s.ctx);
      const b = await seedDeveloper(s.ctx);
      const project = await newProject(a, 'Private');
      const key = (await s.request('POST', keysOf(project.id), { headers: a.headers, body: {} })).body;
      const notFound = { status: 404, body: { detail: 'Project not found' } };
      expect(await s.request('GET', keysOf(project.id), { headers: b.headers })).toMatchObject(notFound);
      expect(await s.request('POST', keysOf(project.id), { headers: b.headers, body: {} })).toMatchObject(notFound);
      expect(await s.request('DELETE', `${keysOf(project.id)}/${key.id}`, { headers: b.headers })).toMatchObject(
        notFound,
      );
      // B's own project with A's key id: the key is not found there.
      const bProject = await newProject(b, 'Own');
      expect(await s.request('DELETE', `${keysOf(bProject.id)}/${key.id}`, { headers: b.headers })).toMatchObject({
        status: 404,
        body: { detail: 'API key not found' },
      });
      // A's key under A's other project is not found either.
      const aOther = await newProject(a, 'Second');
      expect(await s.request('DELETE', `${keysOf(aOther.id)}/${key.id}`, { headers: a.headers })).toMatchObject({
        status: 404,
        body: { detail: 'API key not found' },
      });
      // A developer key id is not a project key.
      expect(
        (await s.request('DELETE', `${keysOf(project.id)}/${a.developerKeyId}`, { headers: a.headers })).status,
      ).toBe(404);
      expect(
        (await s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': key.key } })).status,
      ).toBe(200);
    });

    it('answers unknown ids with 404 and a second revoke with 400', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = await newProject(dev, 'Errors');
      for (const id of ['not-a-uuid', '0190a1b2-0000-7000-8000-000000000000']) {
        expect(await s.request('GET', keysOf(id), { headers: dev.headers })).toMatchObject({
          status: 404,
          body: { detail: 'Project not found' },
        });
        expect(await s.request('DELETE', `${keysOf(project.id)}/${id}`, { headers: dev.headers })).toMatchObject({
          status: 404,
          body: { detail: 'API key not found' },
        });
      }
      const key = (await s.request('POST', keysOf(project.id), { headers: dev.headers, body: {} })).body;
      const both = await Promise.all(
        [1, 2].map(() => s.request('DELETE', `${keysOf(project.id)}/${key.id}`, { headers: dev.headers })),
      );
      expect(both.map((r) => r.status).sort()).toEqual([204, 400]);
      expect(both.find((r) => r.status === 400)!.body).toEqual({ detail: 'API key is already revoked or inactive' });
    });

    it('requires developer credentials before looking at the input', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = await newProject(dev, 'Guarded');
      expect(await s.request('GET', keysOf(project.id))).toMatchObject({
        status: 401,
        body: { detail: 'Could not validate credentials' },
      });
      expect((await s.request('POST', keysOf(project.id), { body: { name: 5 } })).status).toBe(401);
      expect(
        (
          await s.request('GET', keysOf(project.id), {
            headers: { ...dev.headers, 'x-developer-key': 'ak_revokedrevokedrevokedrevokedre' },
          })
        ).status,
      ).toBe(403);
      // A project API key cannot manage keys, not even its own project's.
      const key = (await s.request('POST', keysOf(project.id), { headers: dev.headers, body: {} })).body;
      expect(
        (await s.request('GET', keysOf(project.id), { headers: { ...dev.headers, 'x-developer-key': key.key } }))
          .status,
      ).toBe(403);
    });

    it('answers bad bodies with 422', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = await newProject(dev, 'Strict');
      expect((await s.request('POST', keysOf(project.id), { headers: dev.headers, body: { name: 5 } })).status).toBe(
        422,
      );
      expect(
        (await s.request('POST', keysOf(project.id), { headers: dev.headers, body: { name: 'x'.repeat(256) } })).body
          .detail,
      ).toContainEqual({
        loc: ['body', 'name'],
        msg: 'ensure this value has at most 255 characters',
        type: 'value_error.any_str.max_length',
      });
      expect(
        (
          await s.request('POST', keysOf(project.id), {
            headers: dev.headers,
            body: { name: 'ok', project_id: project.id },
          })
        ).status,
      ).toBe(422);
      expect(
        (
          await s.request('POST', keysOf(project.id), {
            headers: { ...dev.headers, 'content-type': 'application/json' },
            rawBody: '{"name"',
          })
        ).status,
      ).toBe(422);
      expect((await s.request('GET', keysOf(project.id), { headers: dev.headers })).body).toEqual([]);
    });
  });
});
