import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, newSecretKey } from '../../src/core/keys/secret-key.js';
import { uuidv7 } from '../../src/lib/ids.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { seedDomain, seedLicense, seedProject } from './runtime-fixtures.js';

const HAS_PAID = '/api/v1/project/has-paid';

forEachDatabase('runtime check: POST project/has-paid', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;
  let paidProject: string;

  const check = (key: string | null, domain?: string, query = '') =>
    s.request('POST', HAS_PAID + query, {
      body: {},
      headers: { ...(key ? { 'x-license-key': key } : {}), ...(domain ? { 'x-devpayr-domain': domain } : {}) },
    });

  beforeAll(async () => {
    s = await startServer(kind);
    dev = await seedDeveloper(s.ctx);
    paidProject = await seedProject(s.ctx, dev.userId, { hasPaid: true });
  });
  afterAll(async () => s.close());

  describe('answers', () => {
    it('a paid project answers 200 with has_paid true in the envelope', async () => {
      const { key } = await seedLicense(s.ctx, paidProject);
      const res = await check(key, 'shop.example.com');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'success',
        data: { has_paid: true, project_id: paidProject, domain: 'shop.example.com' },
        errors: null,
      });
      expect(typeof res.body.message).toBe('string');
    });

    it('an unpaid project answers 200 with has_paid false', async () => {
      const project = await seedProject(s.ctx, dev.userId, { hasPaid: false });
      const { key } = await seedLicense(s.ctx, project);
      const res = await check(key, 'shop.example.com', '?include=injectables');
      expect(res.status).toBe(200);
      expect(res.body.data.has_paid).toBe(false);
      expect(res.body.data.injectables).toBeUndefined();
      expect(res.body.message).toBe('This project has not been paid for.');
    });

    it('takes the key from the header, the body or the query', async () => {
      const { key } = await seedLicense(s.ctx, paidProject);
      const fromBody = await s.request('POST', HAS_PAID, { body: { license: key } });
      const fromQuery = await s.request('POST', `${HAS_PAID}?license=${key}`, {
        rawBody: '[]',
        headers: { 'content-type': 'application/json' },
      });
      const emptyBody = await s.request('POST', HAS_PAID, { headers: { 'x-license-key': key } });
      for (const res of [fromBody, fromQuery, emptyBody]) {
        expect(res.status).toBe(200);
        expect(res.body.data.has_paid).toBe(true);
      }
    });

    it('an unrestricted license works for older clients that send no domain', async () => {
      const { key } = await seedLicense(s.ctx, paidProject);
      const res = await check(key);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ has_paid: true, domain: null });
    });

    it('answers CORS preflights and allows any origin on the answer', async () => {
      const pre = await s.request('OPTIONS', HAS_PAID, {
        headers: {
          origin: 'https://customer.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-license-key',
        },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
      expect(pre.headers.get('access-control-allow-headers')).toContain('X-Devpayr-Domain');
      const refused = await check('00000000-0000-4000-8000-000000000000');
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('with action other than check_project answers with the matching domain flag', async () => {
      const project = await seedProject(s.ctx, dev.userId, { hasPaid: false });
      await seedDomain(s.ctx, project, 'paid.example.com', { hasPaid: true });
      await seedDomain(s.ctx, project, 'unpaid.example.com', { hasPaid: false });
      const { key } = await seedLicense(s.ctx, project);
      expect((await check(key, 'paid.example.com', '?action=check_domain')).body.data.has_paid).toBe(true);
      expect((await check(key, 'unpaid.example.com', '?action=check_domain')).body.data.has_paid).toBe(false);
      expect((await check(key, 'paid.example.com', '?action=check_project')).body.data.has_paid).toBe(false);
      expect((await check(key, 'paid.example.com')).body.data.has_paid).toBe(false);
    });
  });

  describe('license refusals', () => {
    it('no key is 401, an unknown key 403, each with a message', async () => {
      const none = await check(null);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ status: 'error', data: null });
      expect(none.body.message).toMatch(/license key/i);
      const unknown = await check('9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', 'example.com');
      expect(unknown.status).toBe(403);
      expect(unknown.body.message).toBe('Invalid license key.');
    });

    it('a revoked license is 403', async () => {
      const { key } = await seedLicense(s.ctx, paidProject, { status: 'revoked' });
      const res = await check(key, 'example.com');
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('This license has been revoked.');
    });

    it('an expired license is 403 and records license.expired exactly once', async () => {
      const { id, key } = await seedLicense(s.ctx, paidProject, { expiresAt: new Date(Date.now() - 60_000) });
      for (let i = 0; i < 3; i++) {
        const res = await check(key, 'example.com');
        expect(res.status).toBe(403);
        expect(res.body.message).toBe('This license has expired.');
      }
      const events = await s.ctx.db
        .selectFrom('events')
        .select(['type', 'payload', 'owner_id'])
        .where('type', '=', 'license.expired')
        .execute();
      const mine = events.filter((e) => JSON.parse(e.payload).id === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.owner_id).toBe(dev.userId);
    });

    it('an inactive project refuses its licenses', async () => {
      const project = await seedProject(s.ctx, dev.userId, { isActive: false });
      const { key } = await seedLicense(s.ctx, project);
      const res = await check(key, 'example.com');
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/not active/);
    });

    it("a license is never usable for another developer's project", async () => {
      const other = await seedDeveloper(s.ctx);
      const foreignProject = await seedProject(s.ctx, other.userId);
      const { key } = await seedLicense(s.ctx, paidProject);
      const res = await s.request('POST', HAS_PAID, {
        body: { projectId: foreignProject },
        headers: { 'x-license-key': key },
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('This license does not belong to the given project.');
      const stream = await s.request('POST', '/api/v1/injectable/stream', {
        body: { license: key, projectId: foreignProject },
      });
      expect(stream.status).toBe(403);
    });

    it('a malformed domain header is 400', async () => {
      const { key } = await seedLicense(s.ctx, paidProject);
      const res = await check(key, 'not a host!');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/X-Devpayr-Domain/);
    });

    it('allowed_ips applies to the caller address', async () => {
      const ok = await seedLicense(s.ctx, paidProject, { allowedIps: '10.1.1.1, 127.0.0.1' });
      const refused = await seedLicense(s.ctx, paidProject, { allowedIps: '10.1.1.1' });
      expect((await check(ok.key, 'example.com')).status).toBe(200);
      const res = await check(refused.key, 'example.com');
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('This license is not authorized for this IP address.');
    });

    it('allowed_countries refuses clearly: the server has no way to verify a country', async () => {
      const { key } = await seedLicense(s.ctx, paidProject, { allowedCountries: 'NG,GH' });
      const res = await check(key, 'example.com');
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('NG, GH');
    });

    it('max_usage_per_day refuses past the limit with 429 and Retry-After', async () => {
      const { key } = await seedLicense(s.ctx, paidProject, { maxUsagePerDay: 2 });
      expect((await check(key, 'example.com')).status).toBe(200);
      expect((await check(key, 'example.com')).status).toBe(200);
      const third = await check(key, 'example.com');
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(third.body.message).toMatch(/2 checks per day/);
    });
  });

  describe('statistics', () => {
    it('counts every check by minute, project, license, identifier and outcome', async () => {
      const { id, key } = await seedLicense(s.ctx, paidProject);
      await check(key, 'stats.example.com');
      await check(key, 'https://Stats.Example.com/shop');
      await check(key, 'other.example.com');
      await s.ctx.runtime.recorder.flush();
      const rows = await s.ctx.db
        .selectFrom('license_check_counts')
        .select(['identifier', 'outcome', 'project_id', 'minute'])
        .select((eb) => eb.fn.sum<number>('count').as('total'))
        .where('license_id', '=', id)
        .groupBy(['identifier', 'outcome', 'project_id', 'minute'])
        .orderBy('identifier')
        .execute();
      expect(rows.map((r) => [r.identifier, r.outcome, r.project_id, Number(r.total)])).toEqual([
        ['other.example.com', 'paid', paidProject, 1],
        ['stats.example.com', 'paid', paidProject, 2],
      ]);
      expect(new Date(rows[0]!.minute).getUTCSeconds()).toBe(0);
      const seen = await s.ctx.db
        .selectFrom('license_identifiers')
        .selectAll()
        .where('license_id', '=', id)
        .orderBy('identifier')
        .execute();
      expect(seen.map((r) => [r.identifier, Number(r.use_count)])).toEqual([
        ['other.example.com', 1],
        ['stats.example.com', 2],
      ]);
    });

    it('counts refusals too, with the identifier as sent', async () => {
      const { id, key } = await seedLicense(s.ctx, paidProject, { status: 'revoked' });
      expect((await check(key, 'gone.example.com')).status).toBe(403);
      await s.ctx.runtime.recorder.flush();
      const rows = await s.ctx.db.selectFrom('license_check_counts').selectAll().where('license_id', '=', id).execute();
      expect(rows).toMatchObject([{ outcome: 'revoked', identifier: 'gone.example.com', count: 1 }]);
    });
  });

  describe('GET project/{project}/has-paid', () => {
    it("answers the owner's project flag to its API key", async () => {
      const res = await s.request(
        'GET',
        `/api/v1/project/${paidProject}/has-paid?include=injectables&action=check_project`,
        { headers: dev.apiKeyHeaders },
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ has_paid: true, project_id: paidProject });
    });

    it('refuses without a key (401), with a bad key (403), and hides foreign projects (404)', async () => {
      expect((await s.request('GET', `/api/v1/project/${paidProject}/has-paid`)).status).toBe(401);
      expect(
        (await s.request('GET', `/api/v1/project/${paidProject}/has-paid`, { headers: { 'x-api-key': 'ak_nope' } }))
          .status,
      ).toBe(403);
      const other = await seedDeveloper(s.ctx);
      const res = await s.request('GET', `/api/v1/project/${paidProject}/has-paid`, { headers: other.apiKeyHeaders });
      expect(res.status).toBe(404);
      expect(res.body.status).toBe('error');
      expect(
        (await s.request('GET', `/api/v1/project/not-a-uuid/has-paid`, { headers: dev.apiKeyHeaders })).status,
      ).toBe(404);
    });

    it('a project-scoped key answers for its project and is refused (403) on another', async () => {
      const scoped = await seedProject(s.ctx, dev.userId, { hasPaid: false });
      const key = newSecretKey(API_KEY_PREFIX);
      await s.ctx.db
        .insertInto('api_keys')
        .values({
          id: uuidv7(),
          kind: 'project',
          user_id: dev.userId,
          project_id: scoped,
          name: 'scoped',
          key_hash: key.hash,
          key_prefix: key.prefix,
          is_active: true,
          created_at: new Date(),
        })
        .execute();
      const own = await s.request('GET', `/api/v1/project/${scoped}/has-paid`, { headers: { 'x-api-key': key.key } });
      expect(own.status).toBe(200);
      expect(own.body.data.has_paid).toBe(false);
      const other = await s.request('GET', `/api/v1/project/${paidProject}/has-paid`, {
        headers: { 'x-api-key': key.key },
      });
      expect(other.status).toBe(403);
      expect(other.body.message).toBe('This API key is not authorized for this project.');
    });
  });
});
