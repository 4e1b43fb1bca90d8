import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, uniqueEmail } from '../support/seed.js';

const BASE = '/api/v1/auth/developer-keys';

forEachDatabase('devkit developer keys', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  describe('happy paths', () => {
    it('creates a key as create-developer-key.mdx shows, shown in full once', async () => {
      const dev = await seedDeveloper(s.ctx);
      const res = await s.request('POST', BASE, { headers: dev.headers, body: { name: 'Production API' } });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['created_at', 'id', 'is_active', 'key', 'key_prefix', 'name']);
      expect(res.body).toMatchObject({ name: 'Production API', is_active: true });
      expect(res.body.key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
      expect(res.body.key_prefix).toBe(res.body.key.slice(0, 8));
      const row = await s.ctx.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', res.body.id)
        .executeTakeFirstOrThrow();
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(res.body.key);
      // The new key authenticates on its own.
      expect(
        (await s.request('GET', BASE, { headers: { ...dev.headers, 'x-developer-key': res.body.key } })).status,
      ).toBe(200);
    });

    it('names an unnamed key "" whether the body is {}, null or absent', async () => {
      const dev = await seedDeveloper(s.ctx);
      for (const opts of [{ body: {} }, { body: null }, { body: { name: null } }, {}]) {
        const res = await s.request('POST', BASE, { headers: dev.headers, ...opts });
        expect(res.status).toBe(201);
        expect(res.body.name).toBe('');
      }
    });

    it('lists only active keys, newest first, without secrets', async () => {
      const dev = await seedDeveloper(s.ctx);
      const a = (await s.request('POST', BASE, { headers: dev.headers, body: { name: 'a' } })).body;
      const b = (await s.request('POST', BASE, { headers: dev.headers, body: { name: 'b' } })).body;
      expect((await s.request('DELETE', `${BASE}/${a.id}`, { headers: dev.headers })).status).toBe(204);
      const list = await s.request('GET', BASE, { headers: dev.headers });
      expect(list.status).toBe(200);
      expect(list.body.map((k: { id: string }) => k.id)).toEqual([b.id, dev.developerKeyId]);
      expect(Object.keys(list.body[0]).sort()).toEqual([
        'created_at',
        'id',
        'is_active',
        'key_prefix',
        'last_used_at',
        'name',
      ]);
      expect(list.text).not.toContain(b.key);
      expect(list.text).not.toContain('hash');
      // The key in use has been used; the new one not yet.
      expect(list.body[0].last_used_at).toBeNull();
    });

    it('holds the limit of 10 active keys under parallel creates, and a revoke frees a slot', async () => {
      const dev = await seedDeveloper(s.ctx);
      const created = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          s.request('POST', BASE, { headers: dev.headers, body: { name: `k${i}` } }),
        ),
      );
      expect(created.filter((r) => r.status === 201)).toHaveLength(9); // the seeded key is the 10th
      const refused = created.filter((r) => r.status !== 201);
      expect(refused).toHaveLength(5);
      for (const r of refused)
        expect(r).toMatchObject({
          status: 403,
          body: { detail: 'Maximum number of developer keys (10) reached. Please revoke unused keys.' },
        });
      const one = created.find((r) => r.status === 201)!.body;
      expect((await s.request('DELETE', `${BASE}/${one.id}`, { headers: dev.headers })).status).toBe(204);
      expect((await s.request('POST', BASE, { headers: dev.headers, body: {} })).status).toBe(201);
      expect((await s.request('POST', BASE, { headers: dev.headers, body: {} })).status).toBe(403);
    });

    it('sets X-RateLimit headers from the management category', async () => {
      const dev = await seedDeveloper(s.ctx);
      const res = await s.request('GET', BASE, { headers: dev.headers });
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(1000);
    });
  });

  describe('revocation', () => {
    it('revokes with 204, then the key stops working on both faces', async () => {
      const dev = await seedDeveloper(s.ctx);
      const k = (await s.request('POST', BASE, { headers: dev.headers, body: { name: 'doomed' } })).body;
      expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': k.key } })).status).toBe(200);
      const res = await s.request('DELETE', `${BASE}/${k.id}`, { headers: dev.headers });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await s.request('GET', BASE, { headers: { ...dev.headers, 'x-developer-key': k.key } })).toMatchObject({
        status: 403,
        body: { detail: 'Invalid or revoked developer key' },
      });
      expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': k.key } })).status).toBe(403);
    });

    it('answers the documented errors: key in use, already revoked, not found, not a UUID', async () => {
      const dev = await seedDeveloper(s.ctx);
      expect(await s.request('DELETE', `${BASE}/${dev.developerKeyId}`, { headers: dev.headers })).toMatchObject({
        status: 403,
        body: { detail: 'Cannot revoke the developer key currently being used for authentication' },
      });
      const k = (await s.request('POST', BASE, { headers: dev.headers, body: {} })).body;
      await s.request('DELETE', `${BASE}/${k.id}`, { headers: dev.headers });
      expect(await s.request('DELETE', `${BASE}/${k.id}`, { headers: dev.headers })).toMatchObject({
        status: 400,
        body: { detail: 'Developer key is already revoked or inactive' },
      });
      expect(
        await s.request('DELETE', `${BASE}/0190a1b2-0000-7000-8000-000000000000`, { headers: dev.headers }),
      ).toMatchObject({ status: 404, body: { detail: 'Developer key not found' } });
      const bad = await s.request('DELETE', `${BASE}/not-a-uuid`, { headers: dev.headers });
      expect(bad.status).toBe(422);
      expect(bad.body.detail).toEqual([
        { loc: ['path', 'key_id'], msg: 'value is not a valid uuid', type: 'type_error.uuid' },
      ]);
    });

    it('lets exactly one of two parallel revokes succeed', async () => {
      const dev = await seedDeveloper(s.ctx);
      const k = (await s.request('POST', BASE, { headers: dev.headers, body: {} })).body;
      const both = await Promise.all(
        [1, 2].map(() => s.request('DELETE', `${BASE}/${k.id}`, { headers: dev.headers })),
      );
      expect(both.map((r) => r.status).sort()).toEqual([204, 400]);
    });
  });

  describe('isolation', () => {
    it("keeps one developer's keys away from another: not listed, not revocable (404)", async () => {
      const a = await seedDeveloper(s.ctx);
      const b = await seedDeveloper(s.ctx);
      const aKey = (await s.request('POST', BASE, { headers: a.headers, body: { name: 'mine' } })).body;
      const bList = await s.request('GET', BASE, { headers: b.headers });
      expect(bList.body.map((k: { id: string }) => k.id)).toEqual([b.developerKeyId]);
      for (const id of [aKey.id, a.developerKeyId]) {
        expect(await s.request('DELETE', `${BASE}/${id}`, { headers: b.headers })).toMatchObject({
          status: 404,
          body: { detail: 'Developer key not found' },
        });
      }
      expect((await s.request('GET', BASE, { headers: { ...a.headers, 'x-developer-key': aKey.key } })).status).toBe(
        200,
      );
      // B's token with A's developer key is refused.
      expect(
        (await s.request('GET', BASE, { headers: { ...b.headers, 'x-developer-key': a.developerKey } })).status,
      ).toBe(403);
      // A project API key is not a developer key.
      const project = (await s.request('POST', '/api/v1/projects/', { headers: a.headers, body: { name: 'Keys' } }))
        .body;
      const apiKey = (
        await s.request('POST', `/api/v1/projects/${project.id}/api-keys`, { headers: a.headers, body: {} })
      ).body;
      expect((await s.request('GET', BASE, { headers: { ...a.headers, 'x-developer-key': apiKey.key } })).status).toBe(
        403,
      );
      expect((await s.request('DELETE', `${BASE}/${apiKey.id}`, { headers: a.headers })).status).toBe(404);
    });

    it('requires a developer: bearer token, X-User-Role and an own developer key', async () => {
      const dev = await seedDeveloper(s.ctx);
      const { authorization, 'x-developer-key': devKey } = dev.headers;
      expect(
        await s.request('GET', BASE, { headers: { 'x-user-role': 'developer', 'x-developer-key': devKey! } }),
      ).toMatchObject({
        status: 401,
        body: { detail: 'Could not validate credentials' },
      });
      expect(
        await s.request('GET', BASE, { headers: { authorization: authorization!, 'x-developer-key': devKey! } }),
      ).toMatchObject({
        status: 403,
        body: { detail: 'X-User-Role header is required' },
      });
      expect((await s.request('GET', BASE, { headers: { ...dev.headers, 'x-user-role': 'end_user' } })).status).toBe(
        403,
      );
      expect(
        (await s.request('GET', BASE, { headers: { authorization: authorization!, 'x-user-role': 'developer' } }))
          .status,
      ).toBe(403);

      // An end user's token is not a developer's, even with a developer key.
      const project = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'People' } }))
        .body;
      const user = await s.request('POST', '/api/v1/auth/register', {
        headers: { 'x-developer-key': devKey!, 'x-project-id': project.id },
        body: { email: uniqueEmail('user'), password: PASSWORD },
      });
      expect(
        await s.request('POST', BASE, {
          headers: {
            authorization: `Bearer ${user.body.access_token}`,
            'x-user-role': 'developer',
            'x-developer-key': devKey!,
          },
          body: {},
        }),
      ).toMatchObject({ status: 403, body: { detail: 'Insufficient permissions. Developer role required.' } });
    });
  });

  describe('bad input', () => {
    it('answers bad bodies with 422, after authentication', async () => {
      const dev = await seedDeveloper(s.ctx);
      const long = await s.request('POST', BASE, { headers: dev.headers, body: { name: 'x'.repeat(101) } });
      expect(long.status).toBe(422);
      expect(long.body.detail).toContainEqual({
        loc: ['body', 'name'],
        msg: 'ensure this value has at most 100 characters',
        type: 'value_error.any_str.max_length',
      });
      expect((await s.request('POST', BASE, { headers: dev.headers, body: { name: 'x'.repeat(100) } })).status).toBe(
        201,
      );
      expect((await s.request('POST', BASE, { headers: dev.headers, body: { name: 5 } })).status).toBe(422);
      expect((await s.request('POST', BASE, { headers: dev.headers, body: { name: 'ok', scope: 'all' } })).status).toBe(
        422,
      );
      expect((await s.request('POST', BASE, { headers: dev.headers, body: ['x'] })).status).toBe(422);
      const malformed = await s.request('POST', BASE, {
        headers: { ...dev.headers, 'content-type': 'application/json' },
        rawBody: '{"name":',
      });
      expect(malformed.status).toBe(422);
      // Without credentials, the body is never looked at.
      expect((await s.request('POST', BASE, { body: { name: 5 } })).status).toBe(401);
      expect((await s.request('DELETE', `${BASE}/not-a-uuid`)).status).toBe(401);
    });
  });
});
